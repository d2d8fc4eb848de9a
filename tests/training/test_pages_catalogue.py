"""The teachers' pages: catalogue, session page, enrolment, « mes formations », withdrawal."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.utils import timezone

from tests.conftest import at
from training import services
from training.models import (
    District,
    Enrolment,
    Item,
    Module,
    Programme,
    Session,
    Slot,
)

pytestmark = pytest.mark.django_db
State = Enrolment.State


def text(response) -> str:
    """The page's text with the HTML entities (apostrophes…) decoded."""
    return html.unescape(response.content.decode())


def request(user, session):
    return services.request_enrolment(user=user, session=session, staff=user.staff)


def sessions_in(response) -> list[int]:
    return [row.record.pk for row in response.context["table"].page.object_list]


# --- Catalogue ------------------------------------------------------------------------


def test_catalogue_needs_login(client):
    response = client.get("/formations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_teacher_sees_published_sessions_with_link_dates_and_seats(client_for, teacher, session):
    response = client_for(teacher).get("/formations/")
    assert response.status_code == 200
    page = text(response)
    assert "Catalogue des formations" in page
    assert f'href="/formations/sessions/{session.pk}/"' in page
    assert "Intégrer l'ENT" in page
    assert "Usages du numérique" in page
    assert timezone.localtime(at(30)).strftime("%d/%m/%Y") in page
    assert "Présentiel" in page
    assert "Lycée Condorcet" in page  # the slot's school
    assert "3 / 3" in page


def test_catalogue_leaves_out_drafts_for_teachers(client_for, teacher, make_session):
    published = make_session()
    draft = make_session(status="draft")
    response = client_for(teacher).get("/formations/")
    assert sessions_in(response) == [published.pk]
    assert draft.pk not in sessions_in(response)


def test_manager_also_finds_the_drafts_of_his_academie(client_for, manager, make_session):
    draft = make_session(status="draft")
    response = client_for(manager).get("/formations/")
    assert draft.pk in sessions_in(response)
    assert "En préparation" in text(response)


def test_outsider_sees_no_session_of_another_academie(client_for, outsider, session):
    response = client_for(outsider).get("/formations/")
    assert response.status_code == 200
    assert sessions_in(response) == []
    assert "Intégrer l'ENT" not in text(response)


def test_catalogue_shows_my_enrolment_state(client_for, teacher, session):
    request(teacher, session)
    response = client_for(teacher).get("/formations/")
    assert 'data-state="requested"' in text(response)


def test_catalogue_search_matches_title_words(client_for, teacher, session, programme):
    other_module = Module.objects.create(programme=programme, code="M2", title="Tableur en classe")
    other = Session.objects.create(
        module=other_module, capacity=5, status="published", enrolment_opens=at(-1)
    )
    client = client_for(teacher)
    assert sessions_in(client.get("/formations/", {"q": "ENT"})) == [session.pk]
    assert sessions_in(client.get("/formations/", {"q": "tableur"})) == [other.pk]
    assert sessions_in(client.get("/formations/", {"q": "10A0250001"})) == [session.pk, other.pk]


def test_catalogue_filters_by_modality(client_for, teacher, make_session):
    in_person = make_session()
    virtual = make_session(slots=False)
    Slot.objects.create(
        session=virtual,
        modality="virtual",
        start=at(40, 14),
        end=at(40, 16),
        video_url="https://visio.example.org/abc",
    )
    client = client_for(teacher)
    assert sessions_in(client.get("/formations/", {"modality": "virtual"})) == [virtual.pk]
    assert sessions_in(client.get("/formations/", {"modality": "in_person"})) == [in_person.pk]


def test_catalogue_filters_by_dates_of_the_first_slot(client_for, teacher, make_session):
    soon = make_session(days=10)
    later = make_session(days=60)
    client = client_for(teacher)
    day = timezone.localdate()
    response = client.get(
        "/formations/",
        {
            "starts_after": (day + dt.timedelta(days=5)).isoformat(),
            "starts_before": (day + dt.timedelta(days=10)).isoformat(),
        },
    )
    assert sessions_in(response) == [soon.pk]
    response = client.get(
        "/formations/", {"starts_after": (day + dt.timedelta(days=11)).isoformat()}
    )
    assert sessions_in(response) == [later.pk]


def test_catalogue_filters_by_c2i2e_item(client_for, teacher, session, programme):
    other_module = Module.objects.create(programme=programme, code="M2", title="Tableur")
    other_module.items.set(Item.objects.filter(code="B.4-1"))
    other = Session.objects.create(module=other_module, capacity=5, status="published")
    a13 = Item.objects.get(code="A.1-3")
    b41 = Item.objects.get(code="B.4-1")
    client = client_for(teacher)
    assert sessions_in(client.get("/formations/", {"item": a13.pk})) == [session.pk]
    assert sessions_in(client.get("/formations/", {"item": b41.pk})) == [other.pk]


def test_catalogue_filters_by_degree_and_discipline_keeping_those_for_all(
    client_for, teacher, session, academy, school_year, priority
):
    first_degree = Programme.objects.create(
        academy=academy, school_year=school_year, code="10A0250002", title="École",
        priority=priority, degree=1,
    )  # fmt: skip
    for_all = Programme.objects.create(
        academy=academy, school_year=school_year, code="10A0250003", title="Tous",
        priority=priority, disciplines="",
    )  # fmt: skip
    maths = Programme.objects.create(
        academy=academy, school_year=school_year, code="10A0250004", title="Maths",
        priority=priority, disciplines="Mathématiques, Physique-chimie",
    )  # fmt: skip
    made = {}
    for programme in (first_degree, for_all, maths):
        module = Module.objects.create(programme=programme, code="M", title=programme.title)
        made[programme.title] = Session.objects.create(
            module=module, capacity=5, status="published"
        )
    client = client_for(teacher)
    second = set(sessions_in(client.get("/formations/", {"degree": 2})))
    assert made["École"].pk not in second
    assert {session.pk, made["Tous"].pk, made["Maths"].pk} <= second
    maths_ones = set(sessions_in(client.get("/formations/", {"discipline": "mathém"})))
    assert made["Maths"].pk in maths_ones and made["Tous"].pk in maths_ones
    assert session.pk in maths_ones  # its programme names no discipline: open to all
    lettres = set(sessions_in(client.get("/formations/", {"discipline": "Lettres"})))
    assert made["Maths"].pk not in lettres


def test_catalogue_filters_by_district_and_priority(
    client_for, teacher, make_session, academy, school, priority
):
    bassin = District.objects.create(academy=academy, kind="bassin", name="Versailles")
    school.district = bassin
    school.save()
    for_bassin = make_session(district=bassin)
    everyone = make_session()
    client = client_for(teacher)
    assert sessions_in(client.get("/formations/", {"district": bassin.pk})) == [for_bassin.pk]
    both = sessions_in(client.get("/formations/", {"priority": priority.code}))
    assert set(both) == {for_bassin.pk, everyone.pk}


def test_the_priority_filter_lists_each_priority_once(client_for, teacher, priority):
    """2010-2011 and this year both have the national plan's five priorities."""
    from training.models import Priority

    assert Priority.objects.filter(code=priority.code).count() >= 2
    page = client_for(teacher).get("/formations/").content.decode()
    assert page.count(f'<option value="{priority.code}"') == 1
    assert page.count(f">{priority.title}</option>") == 1


@pytest.mark.parametrize("n_sessions", [2, 15])
def test_catalogue_queries_do_not_grow_with_rows(
    client_for, teacher, make_session, n_sessions, django_assert_max_num_queries
):
    for i in range(n_sessions):
        session = make_session()
        Slot.objects.create(
            session=session, modality="self_paced", start=at(31), end=at(38), credited_minutes=120
        )
        if i % 2:
            request(teacher, session)
    client = client_for(teacher)
    with django_assert_max_num_queries(14):
        response = client.get("/formations/")
    assert len(sessions_in(response)) == n_sessions


# --- Session page ---------------------------------------------------------------------


def test_session_page_shows_programme_items_trainers_rule_and_slots_in_paris_time(
    client_for, teacher, trainer, session
):
    session.trainers.set([trainer])
    Slot.objects.create(
        session=session,
        modality="self_paced",
        title="Travail en équipe",
        start=at(31, 0),
        end=at(38, 0),
        credited_minutes=90,
    )
    response = client_for(teacher).get(f"/formations/sessions/{session.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "10A0250001 — Usages du numérique" in page
    assert "A.1-3" in page and "B.1-1" in page
    assert trainer.get_full_name() in page
    assert "Validation du chef d'établissement" in page
    start = timezone.localtime(at(30, 9))
    assert f"{start:%H:%M}–12:00" in page  # 9:00–12:00 Paris time
    assert "Lycée Condorcet, salle B12" in page
    assert "1,5 h créditées" in page
    assert "3 / 3" in page
    assert "Demander à m'inscrire" in page
    assert f'action="/formations/sessions/{session.pk}/inscription/"' in page
    assert "Modifier la session" not in page


def test_session_page_shows_video_link_of_a_virtual_slot(client_for, teacher, session):
    Slot.objects.create(
        session=session,
        modality="virtual",
        start=at(35, 14),
        end=at(35, 15),
        video_url="https://visio.example.org/ent",
    )
    page = text(client_for(teacher).get(f"/formations/sessions/{session.pk}/"))
    assert 'href="https://visio.example.org/ent"' in page


def test_session_page_of_another_academie_is_404_for_the_outsider(client_for, outsider, session):
    assert client_for(outsider).get(f"/formations/sessions/{session.pk}/").status_code == 404


def test_draft_session_page_is_404_for_a_teacher(client_for, teacher, make_session):
    draft = make_session(status="draft")
    assert client_for(teacher).get(f"/formations/sessions/{draft.pk}/").status_code == 404


def test_session_page_gives_managers_their_links(client_for, manager, session):
    page = text(client_for(manager).get(f"/formations/sessions/{session.pk}/"))
    for url in (
        f"/formations/sessions/{session.pk}/modifier/",
        f"/formations/sessions/{session.pk}/seances/nouvelle/",
        f"/formations/sessions/{session.pk}/annuler/",
        f"/formations/sessions/{session.pk}/participants/",
    ):
        assert f'href="{url}"' in page
    slot = session.slots.get()
    assert f'href="/formations/seances/{slot.pk}/modifier/"' in page


def test_session_page_shows_my_waitlist_position(client_for, make_user, school, make_session):
    session = make_session(capacity=1, approval="none")
    first, second = make_user(school=school), make_user(school=school)
    request(first, session)
    request(second, session)
    page = text(client_for(second).get(f"/formations/sessions/{session.pk}/"))
    assert "En liste d'attente" in page
    assert "Vous êtes n° 1 sur la liste d'attente." in page
    assert "Me désister" in page


# --- Enrolment ------------------------------------------------------------------------


def test_enrol_creates_a_request_for_the_head(client_for, teacher, head, session):
    response = client_for(teacher).post(
        f"/formations/sessions/{session.pk}/inscription/", follow=True
    )
    assert response.status_code == 200
    enrolment = Enrolment.objects.get(session=session, staff=teacher.staff)
    assert enrolment.state == State.REQUESTED
    assert "Demande transmise à votre chef d'établissement" in text(response)


def test_enrol_without_approval_books_the_seat(client_for, teacher, make_session):
    session = make_session(approval="none")
    response = client_for(teacher).post(
        f"/formations/sessions/{session.pk}/inscription/", follow=True
    )
    assert Enrolment.objects.get(session=session).state == State.BOOKED
    assert "Vous êtes inscrit à cette session." in text(response)


def test_enrol_in_a_full_session_goes_on_the_waitlist(
    client_for, teacher, make_user, school, make_session
):
    session = make_session(capacity=1, approval="none")
    request(make_user(school=school), session)
    response = client_for(teacher).post(
        f"/formations/sessions/{session.pk}/inscription/", follow=True
    )
    assert Enrolment.objects.get(session=session, staff=teacher.staff).state == State.WAITLISTED
    assert "vous êtes en liste d'attente" in text(response)


def test_enrol_refusal_is_explained(client_for, teacher, make_session):
    session = make_session()
    session.enrolment_closes = at(-1, 8)
    session.enrolment_opens = at(-3)
    session.save()
    response = client_for(teacher).post(
        f"/formations/sessions/{session.pk}/inscription/", follow=True
    )
    assert "Les inscriptions sont closes depuis le" in text(response)
    assert not Enrolment.objects.exists()


def test_enrol_twice_is_refused_with_a_message(client_for, teacher, session):
    client = client_for(teacher)
    client.post(f"/formations/sessions/{session.pk}/inscription/")
    response = client.post(f"/formations/sessions/{session.pk}/inscription/", follow=True)
    assert "a déjà une inscription en cours" in text(response)
    assert Enrolment.objects.count() == 1


def test_outsider_cannot_enrol_in_another_academie(client_for, outsider, session):
    response = client_for(outsider).post(f"/formations/sessions/{session.pk}/inscription/")
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_enrol_needs_post(client_for, teacher, session):
    response = client_for(teacher).get(f"/formations/sessions/{session.pk}/inscription/")
    assert response.status_code == 405


# --- My training and withdrawal -------------------------------------------------------


def test_my_training_lists_my_enrolments_newest_first_with_state(
    client_for, teacher, make_session, module
):
    first = make_session()
    second = make_session(approval="none", days=40)
    request(teacher, first)
    request(teacher, second)
    response = client_for(teacher).get("/mes-formations/")
    assert response.status_code == 200
    rows = [row.record for row in response.context["table"].page.object_list]
    assert [e.session_id for e in rows] == [second.pk, first.pk]
    page = text(response)
    assert "Demandée" in page and "Inscrit" in page
    assert page.count("Se désister") == 2


def test_my_training_shows_nothing_of_other_people(client_for, teacher, outsider, session):
    request(teacher, session)
    response = client_for(outsider).get("/mes-formations/")
    assert response.status_code == 200
    assert list(response.context["table"].page.object_list) == []
    assert "Intégrer l'ENT" not in text(response)


@pytest.mark.parametrize("n_enrolments", [2, 15])
def test_my_training_queries_do_not_grow_with_rows(
    client_for, teacher, make_session, n_enrolments, django_assert_max_num_queries
):
    for _i in range(n_enrolments):
        request(teacher, make_session(approval="none", days=30 + _i))
    client = client_for(teacher)
    with django_assert_max_num_queries(10):
        response = client.get("/mes-formations/")
    assert len(response.context["table"].page.object_list) == n_enrolments


def test_cancel_with_a_reason(client_for, teacher, make_session):
    session = make_session(approval="none")
    enrolment = request(teacher, session)
    response = client_for(teacher).post(
        f"/inscriptions/{enrolment.pk}/desistement/", {"reason": "Conseil de classe"}, follow=True
    )
    enrolment.refresh_from_db()
    assert enrolment.state == State.CANCELLED
    assert enrolment.reason == "Conseil de classe"
    assert "Votre désistement" in text(response)
    assert response.redirect_chain[-1][0] == "/mes-formations/"


def test_cancel_needs_a_reason(client_for, teacher, session):
    enrolment = request(teacher, session)
    response = client_for(teacher).post(
        f"/inscriptions/{enrolment.pk}/desistement/", {"reason": "  "}, follow=True
    )
    enrolment.refresh_from_db()
    assert enrolment.state == State.REQUESTED
    assert "Indiquez le motif de votre désistement." in text(response)


def test_cancel_returns_to_the_session_page(client_for, teacher, session):
    enrolment = request(teacher, session)
    page = f"/formations/sessions/{session.pk}/"
    response = client_for(teacher).post(
        f"/inscriptions/{enrolment.pk}/desistement/", {"reason": "Malade", "next": page}
    )
    assert response["Location"] == page


def test_cancel_someone_elses_enrolment_is_404(client_for, teacher, head, outsider, session):
    enrolment = request(teacher, session)
    for user in (outsider, head):
        response = client_for(user).post(
            f"/inscriptions/{enrolment.pk}/desistement/", {"reason": "Pour voir"}
        )
        assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.state == State.REQUESTED


def test_cancel_after_the_cutoff_is_refused_with_a_message(client_for, teacher, make_session):
    session = make_session(approval="none", days=1, cancellation_cutoff_days=2)
    enrolment = request(teacher, session)
    response = client_for(teacher).post(
        f"/inscriptions/{enrolment.pk}/desistement/", {"reason": "Malade"}, follow=True
    )
    assert "Le désistement n'est plus possible en ligne" in text(response)
    enrolment.refresh_from_db()
    assert enrolment.state == State.BOOKED


# --- Navigation -----------------------------------------------------------------------


def nav_labels(response) -> list[str]:
    return [label for label, _url in response.context["dune_nav"]]


def test_nav_of_a_teacher(client_for, teacher):
    labels = nav_labels(client_for(teacher).get("/"))
    assert "Catalogue" in labels and "Mes formations" in labels
    assert "Validations" not in labels and "Nouvelle session" not in labels


def test_nav_of_a_head_and_of_a_manager(client_for, head, manager):
    labels = nav_labels(client_for(head).get("/"))
    assert "Validations" in labels and "Mes formations" not in labels
    labels = nav_labels(client_for(manager).get("/"))
    assert "Validations" in labels and "Nouvelle session" in labels


def test_nav_of_someone_without_role(client_for, make_user):
    labels = nav_labels(client_for(make_user()).get("/"))
    assert "Catalogue" not in labels and "Validations" not in labels


# --- Actions offered only when they are possible --------------------------------------


def test_no_withdrawal_is_offered_once_the_cutoff_has_passed(client_for, teacher, make_session):
    held = make_session(approval="none", days=-2)
    soon = make_session(approval="none", days=1, cancellation_cutoff_days=2)
    later = make_session(approval="none", days=30)
    for session in (held, soon, later):
        request(teacher, session)
    client = client_for(teacher)
    for session in (held, soon):
        page = text(client.get(f"/formations/sessions/{session.pk}/"))
        assert 'data-testid="cancel-form"' not in page
        assert "Le désistement n'est plus possible en ligne depuis le" in page
    assert 'data-testid="cancel-form"' in text(client.get(f"/formations/sessions/{later.pk}/"))
    mine = text(client.get("/mes-formations/"))
    assert mine.count("Confirmer le désistement") == 1  # the session to come only


def test_the_sessions_own_trainer_is_not_offered_to_enrol(client_for, trainer, make_session):
    from training import services
    from training.errors import TrainingError

    session = make_session(approval="none")
    session.trainers.add(trainer)
    page = text(client_for(trainer).get(f"/formations/sessions/{session.pk}/"))
    assert "M'inscrire" not in page and "Vous animez cette session." in page
    with pytest.raises(TrainingError, match="Vous animez cette session"):
        services.request_enrolment(user=trainer, session=session, staff=trainer.staff)
    assert not session.enrolments.exists()
