"""Work in progress: being written."""


def catalogue(request):
    raise NotImplementedError


def session_detail(request, pk):
    raise NotImplementedError


def enrol(request, pk):
    raise NotImplementedError


def my_training(request):
    raise NotImplementedError


def cancel(request, pk):
    raise NotImplementedError
