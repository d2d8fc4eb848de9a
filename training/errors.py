class TrainingError(Exception):
    """A refused action in ``training``, with a message meant for the person (French first).

    The API answers it as ``{"detail": message}`` with ``status`` (400, or 409 for a
    conflict with the current state); HTML views show it as an error message.
    """

    status = 400

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
