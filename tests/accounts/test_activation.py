"""Local accounts: activation e-mails sent in bulk by a manager, on purpose; the link
works once and expires; password validators apply; the reset flow from the login page."""

from __future__ import annotations

import re

import time_machine
from django.contrib.auth import get_user_model
from django.core import mail

from training.models import Staff


def imported(make_user, school, username):
    """A person as an import creates him: no usable password."""
    user = make_user(username, school=school)
    user.set_unusable_password()
    user.save()
    return user


def link_in(message) -> str:
    return re.search(r"http://\S+/comptes/activer/\S+/", message.body).group(0)


def test_a_manager_sends_activation_to_the_people_he_picks_and_confirms(
    client_for, manager, make_user, school
):
    first, second = imported(make_user, school, "first"), imported(make_user, school, "second")
    imported(make_user, school, "third")
    client = client_for(manager)
    page = client.get("/comptes/personnels/?etat=activation").text
    assert "À activer (3)" in page
    # The count must be confirmed: a wrong one sends nothing.
    client.post("/comptes/personnels/activation/", {"users": [first.pk, second.pk], "confirm": 3})
    assert mail.outbox == []
    client.post("/comptes/personnels/activation/", {"users": [first.pk, second.pk], "confirm": 2})
    assert sorted(m.to[0] for m in mail.outbox) == [first.email, second.email]
    assert "activez votre compte" in mail.outbox[0].subject


def test_a_manager_cannot_send_to_people_outside_his_academy(client_for, manager, outsider):
    outsider.set_unusable_password()
    outsider.save()
    client_for(manager).post(
        "/comptes/personnels/activation/", {"users": [outsider.pk], "confirm": 1}
    )
    assert mail.outbox == []


def test_the_activation_link_works_once(client, make_user, school):
    from accounts.services import activation

    person = imported(make_user, school, "newcomer")
    activation.send_activation(users=get_user_model().objects.filter(pk=person.pk))
    path = link_in(mail.outbox[0]).removeprefix("http://127.0.0.1:8000")
    form = client.get(path, follow=True)
    assert "Choisissez votre mot de passe" in form.text
    weak = client.post(form.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200  # the validators refuse it
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Une-phrase-de-passe-2026", "new_password2": "Une-phrase-de-passe-2026"},
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Une-phrase-de-passe-2026")
    again = client.get(path, follow=True)
    assert "Lien expiré ou déjà utilisé" in again.text


def test_the_activation_link_expires(client, make_user, school, settings):
    from accounts.services import activation

    person = imported(make_user, school, "newcomer")
    activation.send_activation(users=get_user_model().objects.filter(pk=person.pk))
    path = link_in(mail.outbox[0]).removeprefix("http://127.0.0.1:8000")
    import datetime as dt

    with time_machine.travel(dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)):
        page = client.get(path, follow=True)
    assert "Lien expiré ou déjà utilisé" in page.text


def test_the_reset_flow_starts_from_the_login_page(client, teacher):
    assert "/comptes/mot-de-passe/" in client.get("/connexion/").text
    response = client.post("/comptes/mot-de-passe/", {"email": teacher.email.upper()})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/comptes/activer/" in mail.outbox[0].body
    assert Staff.objects.filter(user=teacher).exists()


def test_a_person_created_by_an_import_can_ask_for_the_link_himself(client, make_user, school):
    person = imported(make_user, school, "newcomer")
    client.post("/comptes/mot-de-passe/", {"email": person.email})
    assert [m.to for m in mail.outbox] == [[person.email]]
