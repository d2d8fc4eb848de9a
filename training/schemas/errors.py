"""The API's error bodies, and the ``response`` entries that document them (the
endpoints of ``training`` and ``referents`` alike: one component of each in the
document).

Every refusal is ``{"detail": "…"}``, a sentence for the person (French first):

- 401: neither a valid API token nor a signed-in session;
- 403: a right is missing (the service says which), or a browser's write came without
  its CSRF token;
- 404: the object is outside the caller's scope, whether it exists or not;
- 409: a conflict with the current state (already decided, full, year closed…);
- 400: another refusal of the service (a missing reason…).

422 is an invalid input, with ``detail`` in one of three shapes: ninja's validation of
the parameters and body lists its errors (``[{"type", "loc", "msg"}, …]``), a rule only
the model knows lists its messages (``["…"]``), an unknown name in the body (a code, an
identifier) is one message.
"""

from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str = Field(description="Le motif, pour la personne")


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]] | list[str] | str = Field(
        description="Les erreurs de validation (type, loc, msg), ou les messages du modèle"
    )


def errors(*statuses: int) -> dict[int, type[Schema]]:
    """The ``response`` entries of these error statuses: ``{**errors(401, 404)}``."""
    return {status: ValidationErrorOut if status == 422 else ErrorOut for status in statuses}
