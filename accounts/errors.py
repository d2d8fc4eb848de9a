"""The refusals of ``accounts``: a French message for the person, a code for the log."""

from __future__ import annotations


class IdentityRefused(Exception):
    """A signed-in identity that does not open a Dune session (``reason`` is one of
    ``accounts.services.identities.REASONS``)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
