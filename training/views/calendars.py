"""Work in progress."""


def catalogue_feed(request, academy_code): raise NotImplementedError
def slot_download(request, pk): raise NotImplementedError
def personal_feed(request, token): raise NotImplementedError
def school_feed(request, token, uai): raise NotImplementedError
def session_feed(request, token, pk): raise NotImplementedError
