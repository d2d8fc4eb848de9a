"""Validators for the identifiers the rectorates use (see FACTS.md)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The longest free texts a person writes: a description, a comment, a motivation; and a
# letter (the référent's mission letter). Enforced by the models' forms, the API schemas
# and the services alike.
TEXT_MAX_LENGTH = 2000
LETTER_MAX_LENGTH = 5000

UAI_RE = re.compile(r"^[0-9]{7}[A-Z]$")
# 23 letters: I, O and Q are left out so that they are not read as 1, 0 and 0.
UAI_CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def uai_check_letter(digits: str) -> str:
    """The check letter of a UAI whose first seven characters are ``digits``."""
    return UAI_CHECK_LETTERS[int(digits) % 23]


def normalize_uai(value: str) -> str:
    return (value or "").strip().upper()


def validate_uai(value: str) -> None:
    """Refuse a UAI of the wrong shape or with a wrong check letter, saying which."""
    if not UAI_RE.match(value or ""):
        raise ValidationError(
            _(
                "« %(value)s » n'est pas un UAI valide : il faut 7 chiffres suivis d'une "
                "lettre majuscule (par exemple 0750655E)."
            ),
            code="uai_shape",
            params={"value": value},
        )
    expected = uai_check_letter(value[:7])
    if value[7] != expected:
        raise ValidationError(
            _(
                "L'UAI %(value)s a une lettre de contrôle erronée : pour %(digits)s, "
                "la lettre attendue est %(expected)s."
            ),
            code="uai_check_letter",
            params={"value": value, "digits": value[:7], "expected": expected},
        )


# NUL and the other control characters (tab and line feeds aside), and the bidirectional
# overrides that make a name read backwards on a page: refused in every text Dune takes
# in (forms, API inputs, import cells).
CONTROL_OR_BIDI = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def forbidden_character(value: str) -> str | None:
    """The French reason a text is refused for one of its characters, or None."""
    match = CONTROL_OR_BIDI.search(value)
    if match is None:
        return None
    message = _("Caractère interdit (U+%(code)04X) : contrôle ou inversion du sens du texte.")
    return message % {"code": ord(match.group())}
