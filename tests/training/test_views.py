import pytest
from django.core import mail

from training.models import ApiToken, School

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_anonymous_home_invites_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Se connecter" in response.text
    assert '<html lang="fr"' in response.text


def test_home_shows_the_roles_and_school_in_french(client_for, referent, school):
    response = client_for(referent).get("/")
    assert response.status_code == 200
    assert "Vos rôles" in response.text
    assert "Référent numérique — Collège Jean Moulin" in response.text
    assert "UAI 0783288A" in response.text


def test_home_of_an_auditor_names_his_academie(client_for, auditor):
    response = client_for(auditor).get("/")
    assert "Auditeur (rectorat) — académie de Versailles" in response.text


def test_language_switch_to_english(client_for, teacher):
    client = client_for(teacher)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert '<html lang="en"' in response.text
    assert "Your roles" in response.text
    assert "Français" in response.text  # the way back


def test_login_page_is_in_french_even_for_an_english_browser(client):
    response = client.get("/connexion/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="fr"' in response.text
    assert "Nom d’utilisateur" in response.text
    assert "Mot de passe" in response.text


def test_the_chosen_language_is_kept_across_pages(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/connexion/")
    assert '<html lang="en"' in response.text
    assert "Username" in response.text


def test_login_with_username_and_password(client, teacher):
    from tests.conftest import PASSWORD

    response = client.post("/connexion/", {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/me").json()["username"] == "teacher"


def test_login_failure_is_explained(client, teacher):
    response = client.post("/connexion/", {"username": "teacher", "password": "faux"})
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.text


def test_account_creates_a_token_shown_once_and_emails_a_notice(
    client_for, teacher, django_capture_on_commit_callbacks
):
    client = client_for(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compte/", {"name": "tableur d'Hélène"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=teacher)
    assert token.prefix in response.text
    assert "Copiez-le maintenant" in response.text
    assert response["Cache-Control"] == "no-store"
    assert token.prefix not in client.get("/compte/").text.replace(f"{token.prefix}…", "")
    assert len(mail.outbox) == 1
    assert "« tableur d'Hélène »" in mail.outbox[0].body  # plain text: nothing escaped
    assert mail.outbox[0].to == [teacher.email]


def test_account_revokes_a_token(client_for, teacher):
    from training import services

    token, raw = services.create_api_token(user=teacher, name="script")
    client = client_for(teacher)
    response = client.post(f"/compte/jetons/{token.pk}/revoquer/", follow=True)
    assert "révoqué" in response.text
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_nobody_revokes_someone_elses_token(client_for, teacher, outsider):
    from training import services

    token, _raw = services.create_api_token(user=teacher, name="script")
    response = client_for(outsider).post(f"/compte/jetons/{token.pk}/revoquer/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_pages_need_login(client):
    for url in ["/compte/", "/etablissements/", "/etablissements/0783288A/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")


def test_school_list_is_scoped(
    client_for, auditor, outsider, school, other_school, outsider_school
):
    text = client_for(auditor).get("/etablissements/").text
    assert "Collège Jean Moulin" in text and "Lycée Condorcet" in text
    assert "Collège de Paris" not in text


def test_school_detail_lists_staff_for_the_head(client_for, head, teacher, school):
    response = client_for(head).get(f"/etablissements/{school.uai}/")
    assert response.status_code == 200
    assert "Martin Claire" in response.text


def test_school_detail_outside_scope_is_404(client_for, outsider, school):
    assert client_for(outsider).get(f"/etablissements/{school.uai}/").status_code == 404


@pytest.mark.parametrize("n_schools", [5, 40])
def test_school_list_queries_do_not_grow_with_rows(
    client_for, auditor, academy, n_schools, django_assert_max_num_queries
):
    from training.demo.directory import demo_uai

    School.objects.bulk_create(
        School(uai=demo_uai(i), name=f"École {i}", kind="ecole_primaire", degree=1, academy=academy)
        for i in range(n_schools)
    )
    client = client_for(auditor)
    with django_assert_max_num_queries(12):
        response = client.get("/etablissements/")
    assert response.text.count("École ") >= n_schools


def test_manager_creates_a_school_from_the_form(client_for, manager, academy):
    response = client_for(manager).post(
        "/etablissements/nouveau/",
        {"uai": "0910620e", "name": "Collège Neuf", "kind": "college", "academy": academy.pk},
    )
    assert response.status_code == 302
    assert School.objects.get(uai="0910620E").degree == 2


def test_school_form_refuses_a_wrong_check_letter(client_for, manager, academy):
    response = client_for(manager).post(
        "/etablissements/nouveau/",
        {"uai": "0910620F", "name": "Collège Neuf", "kind": "college", "academy": academy.pk},
    )
    assert response.status_code == 200
    assert "la lettre attendue est E" in response.text
    assert not School.objects.filter(name="Collège Neuf").exists()


def test_school_form_is_refused_to_non_managers(client_for, auditor, head):
    assert client_for(auditor).get("/etablissements/nouveau/").status_code == 403
    assert client_for(head).get("/etablissements/nouveau/").status_code == 403


def test_school_form_cannot_target_another_academie(client_for, manager, other_academy):
    response = client_for(manager).post(
        "/etablissements/nouveau/",
        {"uai": "0750655E", "name": "Collège", "kind": "college", "academy": other_academy.pk},
    )
    assert response.status_code == 200
    assert not School.objects.filter(uai="0750655E").exists()


def test_readyz_checks_the_database_the_cache_and_the_broker(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_answers_503_naming_what_fails_and_nothing_more(client, monkeypatch, caplog):
    from training import readiness

    def unreachable():
        raise ConnectionRefusedError("redis://secret-host:6379 refused")

    monkeypatch.setitem(readiness.CHECKS, "broker", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "failed"}
    assert b"secret-host" not in response.content
    assert "secret-host" in caplog.text  # the reason is in the log


@pytest.mark.celery_worker
def test_readyz_reaches_the_broker(client, settings):
    """Jobs not in-process: the check connects to the broker (Redis in .ci/run's
    real-worker step, ``CELERY_BROKER_URL``; else Celery's in-memory transport)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert client.get("/readyz").json()["checks"]["broker"] == "ok"
