"""Every form refuses NUL, control characters and bidirectional overrides in its texts
(a name that would read backwards on a page), and changes nothing."""

from __future__ import annotations

import pytest

from training.models import ApiToken


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x00", "\x07", "\u202e", "\u2066"])
def test_a_form_refuses_a_control_or_bidi_character(client_for, teacher, char):
    response = client_for(teacher).post("/compte/", {"name": f"tableur{char}rectorat"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    page = response.content.decode()
    assert "fr-error-text" in page  # the field says what is wrong
    if char != "\x00":  # NUL: Django's own message comes first
        assert "Caractère interdit" in page


@pytest.mark.django_db
def test_a_plain_text_goes_through(client_for, teacher):
    client_for(teacher).post("/compte/", {"name": "tableur du rectorat"})
    assert ApiToken.objects.filter(name="tableur du rectorat").exists()


def test_a_password_may_hold_anything():
    from accounts.forms.passwords import DsfrSetPasswordForm

    assert DsfrSetPasswordForm.__mro__[1].__name__ == "DuneForm"
