"""Work in progress: being written."""


def approval_queue(request):
    raise NotImplementedError


def decide(request):
    raise NotImplementedError


def session_create(request):
    raise NotImplementedError


def session_edit(request, pk):
    raise NotImplementedError


def slot_create(request, pk):
    raise NotImplementedError


def slot_edit(request, pk):
    raise NotImplementedError


def slot_cancel(request, pk):
    raise NotImplementedError


def session_publish(request, pk):
    raise NotImplementedError


def session_cancel(request, pk):
    raise NotImplementedError


def roster(request, pk):
    raise NotImplementedError


def book_staff(request, pk):
    raise NotImplementedError
