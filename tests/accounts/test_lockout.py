"""Failed sign-ins: the username is locked from one address, never a whole school behind
one NAT address; a username is locked everywhere only after many failures from many
addresses; the person sees when to retry; managers read the log and unlock."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import SignInEvent
from tests.conftest import PASSWORD


def sign_in(address, username, password):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/connexion/", {"username": username, "password": password})
    return client, response


def test_five_failures_lock_the_username_from_that_address_only(teacher, make_user, school):
    colleague = make_user("colleague", school=school)
    for _ in range(5):
        _, response = sign_in("10.0.0.1", "teacher", "wrong")
        assert "Identifiant ou mot de passe incorrect." in response.text
    _, response = sign_in("10.0.0.1", "teacher", PASSWORD)
    assert response.status_code == 200
    assert "Trop d&#x27;essais infructueux" in response.text or "Trop d'essais" in response.text
    assert "réessayez après" in response.text
    # The same person from another address, and a colleague behind the same NAT address.
    _, response = sign_in("10.0.0.2", "teacher", PASSWORD)
    assert response.status_code == 302
    _, response = sign_in("10.0.0.1", colleague.username, PASSWORD)
    assert response.status_code == 302


def test_a_username_is_locked_everywhere_after_many_failures_from_many_addresses(teacher, settings):
    settings.DUNE_LOCKOUT_FAILURES = 100  # the pair rule out of the way
    for n in range(settings.DUNE_LOCKOUT_USERNAME_FAILURES):
        sign_in(f"10.0.1.{n % 4}", "teacher", "wrong")
    _, response = sign_in("192.0.2.9", "teacher", PASSWORD)
    assert response.status_code == 200
    assert "réessayez après" in response.text


def test_failures_from_one_address_only_do_not_lock_the_username_everywhere(teacher, settings):
    settings.DUNE_LOCKOUT_FAILURES = 100
    for _ in range(settings.DUNE_LOCKOUT_USERNAME_FAILURES + 5):
        sign_in("10.0.0.1", "teacher", "wrong")
    _, response = sign_in("10.0.0.2", "teacher", PASSWORD)
    assert response.status_code == 302


def test_the_lock_lifts_after_the_window(teacher, settings):
    import time_machine

    for _ in range(5):
        sign_in("10.0.0.1", "teacher", "wrong")
    with time_machine.travel(
        SignInEvent.objects.latest("at").at.timestamp() + settings.DUNE_LOCKOUT_MINUTES * 60 + 5
    ):
        _, response = sign_in("10.0.0.1", "teacher", PASSWORD)
    assert response.status_code == 302


def test_a_manager_reads_the_log_and_unlocks(client_for, teacher, manager, outsider):
    for _ in range(5):
        sign_in("10.0.0.1", "teacher", "wrong")
    page = client_for(manager).get("/comptes/personnels/?q=teacher").text
    assert "verrouillé" in page
    log = client_for(manager).get("/comptes/connexions/?identifiant=teacher").text
    assert log.count('data-outcome="failure"') == 5
    assert log.count('data-outcome="locked"') == 0
    assert "10.0.0.1" in log
    client = client_for(manager)
    response = client.post("/comptes/personnels/deverrouiller/", {"username": "teacher"})
    assert response.status_code == 302
    _, response = sign_in("10.0.0.1", "teacher", PASSWORD)
    assert response.status_code == 302
    assert SignInEvent.objects.filter(outcome="unlocked", actor=manager).exists()


def test_the_log_shows_successes_and_failures_of_the_academy_only(
    client_for, teacher, manager, outsider
):
    sign_in("10.0.0.1", "teacher", "wrong")
    sign_in("10.0.0.1", "teacher", PASSWORD)
    sign_in("10.0.0.3", outsider.username, PASSWORD)
    page = client_for(manager).get("/comptes/connexions/").text
    assert 'data-outcome="success"' in page
    assert "10.0.0.1" in page
    assert "10.0.0.3" not in page  # the outsider is of another académie


@pytest.mark.parametrize("who", ["teacher", "auditor", "outsider"])
def test_the_accounts_pages_are_for_managers_only(client_for, request, who):
    user = request.getfixturevalue(who)
    for url in ("/comptes/personnels/", "/comptes/connexions/"):
        assert client_for(user).get(url).status_code == 404
    assert (
        client_for(user).post("/comptes/personnels/deverrouiller/", {"username": "x"}).status_code
        == 404
    )
