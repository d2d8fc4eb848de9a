"""Work in progress."""


def agenda(request): raise NotImplementedError
def rotate_link(request): raise NotImplementedError
def revoke_link(request): raise NotImplementedError
