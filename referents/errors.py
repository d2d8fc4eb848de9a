class ReferentError(Exception):
    """A refused action in ``referents``, with a message for the person (French first).
    The API answers ``{"detail": message}`` with ``status``."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
