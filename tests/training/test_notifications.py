"""The e-mails people receive: who gets which one, once, in French, with the session's
slots in Paris time; and the outbox task that sends each notification exactly once."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.html import escape

from tests.conftest import at
from training import services, tasks
from training.models import Enrolment, Notification, Slot
from training.notifications import context_for
from training.services import notify

pytestmark = pytest.mark.django_db
State = Enrolment.State

TEMPLATES = [
    "enrolment_requested",
    "enrolment_approved",
    "enrolment_booked",
    "enrolment_waitlisted",
    "enrolment_promoted",
    "enrolment_declined",
    "enrolment_expired",
    "enrolment_cancelled",
    "session_cancelled",
    "session_changed",
    "session_reminder",
    "attendance_missing",
]

# A phrase of each subject, to tell which template a received e-mail came from.
SUBJECTS = {
    "enrolment_requested": "Demande d'inscription à valider",
    "enrolment_approved": "Inscription validée",
    "enrolment_booked": "Inscription confirmée",
    "enrolment_waitlisted": "Liste d'attente",
    "enrolment_promoted": "Une place s'est libérée",
    "enrolment_declined": "Demande non retenue",
    "enrolment_expired": "Demande expirée",
    "enrolment_cancelled": "Désistement enregistré",
    "session_cancelled": "Session annulée",
    "session_changed": "Changement de dates ou de lieu",
    "session_reminder": "Rappel",
    "attendance_missing": "Feuille d'émargement à remplir",
}


def request(user, session):
    return services.request_enrolment(user=user, session=session, staff=user.staff)


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def html_of(message):
    assert len(message.alternatives) == 1
    content, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return content


def paris_day(moment):
    with translation.override("fr"):
        return dateformat.format(timezone.localtime(moment), "l j F Y")


def assert_mail(message, *, recipient, template, session):
    """One e-mail of ``template`` to ``recipient``: plain text and HTML, in French,
    naming the session, sent from the outbox."""
    assert message.to == [recipient.email]
    assert "\n" not in message.subject
    assert message.subject.startswith("[Dune] ")
    assert SUBJECTS[template] in message.subject
    title = session.module.title
    assert title in message.subject
    body, html = message.body, html_of(message)
    assert body.startswith(f"Bonjour {recipient.get_full_name()},")
    assert f"<p>Bonjour {escape(recipient.get_full_name())},</p>" in html
    assert '<html lang="fr">' in html
    assert "Cordialement" in body and "Cordialement" in html
    assert f"« {title} » (groupe {session.group}" in body
    assert f"« {escape(title)} » (groupe {session.group}" in html
    assert "&#x27;" not in body and "&lt;" not in body  # no HTML escaping in plain text
    assert "<a href=" in html
    notification = Notification.objects.get(recipient=recipient, template=template, session=session)
    assert notification.sent_at is not None
    return body, html


@pytest.fixture
def colleagues(make_user, school):
    """Three more teachers of the teacher's school."""
    return [
        make_user(f"collegue{i}", school=school, first_name="Paul", last_name=f"Durand{i}")
        for i in range(3)
    ]


# --- Who is told what -----------------------------------------------------------------


def test_a_request_tells_the_head_with_a_link_to_his_queue(
    teacher, head, session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request(teacher, session)
    assert len(mail.outbox) == 1
    body, html = assert_mail(
        mail.outbox[0], recipient=head, template="enrolment_requested", session=session
    )
    queue_url = settings.SITE_URL + reverse("training:approval_queue")
    assert "Claire Martin" in body and "Collège Jean Moulin" in body
    assert queue_url in body
    assert f'<a href="{queue_url}">' in html


def test_head_approval_sends_the_booking_and_no_separate_approval(
    teacher, head, session, django_capture_on_commit_callbacks
):
    enrolment = request(teacher, session)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_enrolment(user=head, enrolment=enrolment)
    assert len(mail.outbox) == 1
    body, html = assert_mail(
        mail.outbox[0], recipient=teacher, template="enrolment_booked", session=session
    )
    assert list(
        Notification.objects.filter(recipient=teacher).values_list("template", flat=True)
    ) == ["enrolment_booked"]
    slot = session.slots.get()
    assert f"{paris_day(slot.start)}, de 09:00 à 12:00" in body
    assert "Lycée Condorcet, salle B12" in body and "Lycée Condorcet, salle B12" in html


def test_head_then_rectorate_tells_the_approval_then_the_booking(
    teacher, head, manager, make_session, django_capture_on_commit_callbacks
):
    session = make_session(approval="head_then_rectorate")
    enrolment = request(teacher, session)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_enrolment(user=head, enrolment=enrolment)
    assert len(mail.outbox) == 1
    body, _html = assert_mail(
        mail.outbox[0], recipient=teacher, template="enrolment_approved", session=session
    )
    assert "en attente du rectorat" in mail.outbox[0].subject
    assert "validée par votre chef d'établissement" in body
    assert "Elle doit encore être confirmée par le rectorat." in body
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_enrolment(user=manager, enrolment=enrolment)
    assert len(mail.outbox) == 2
    assert_mail(mail.outbox[1], recipient=teacher, template="enrolment_booked", session=session)


def test_a_session_without_dates_says_approved_then_booked_once_dated(
    teacher, manager, make_session, other_school, django_capture_on_commit_callbacks
):
    session = make_session(approval="none", slots=False)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = request(teacher, session)
    assert enrolment.state == State.APPROVED
    assert len(mail.outbox) == 1
    body, _html = assert_mail(
        mail.outbox[0], recipient=teacher, template="enrolment_approved", session=session
    )
    assert "en attente des dates" in mail.outbox[0].subject
    assert "Les dates de cette session ne sont pas encore fixées." in body
    assert "chef d'établissement" not in body  # nobody approved: the session needs none
    with django_capture_on_commit_callbacks(execute=True):
        services.add_slot(
            user=manager,
            session=session,
            modality="in_person",
            start=at(35, 9),
            end=at(35, 12),
            school=other_school,
            room="B12",
        )
    assert len(mail.outbox) == 2
    body, _html = assert_mail(
        mail.outbox[1], recipient=teacher, template="enrolment_booked", session=session
    )
    assert f"{paris_day(at(35))}, de 09:00 à 12:00" in body


def test_a_full_session_puts_on_the_waitlist_and_says_so(
    teacher, colleagues, make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1, approval="none")
    request(colleagues[0], session)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = request(teacher, session)
    assert enrolment.state == State.WAITLISTED
    assert len(mail.outbox) == 1
    body, _html = assert_mail(
        mail.outbox[0], recipient=teacher, template="enrolment_waitlisted", session=session
    )
    assert "liste d'attente" in body


def test_a_withdrawal_is_confirmed_and_the_freed_seat_goes_to_the_first_waitlisted(
    teacher, colleagues, make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1, approval="none")
    request(teacher, session)
    first, second = colleagues[0], colleagues[1]
    request(first, session)
    request(second, session)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(
            user=teacher, enrolment=teacher.staff.enrolments.get(), reason="Conseil de classe"
        )
    # The withdrawal's e-mail, then the promotion task (run after commit) and its e-mail.
    assert len(mail.outbox) == 2
    [cancelled] = mails_to(teacher)
    body, html = assert_mail(
        cancelled, recipient=teacher, template="enrolment_cancelled", session=session
    )
    assert "Conseil de classe" in body and "Conseil de classe" in html
    [promoted] = mails_to(first)
    body, _html = assert_mail(
        promoted, recipient=first, template="enrolment_promoted", session=session
    )
    assert "liste d'attente" in body
    assert mails_to(second) == []
    assert first.staff.enrolments.get().state == State.BOOKED


def test_a_decline_tells_the_reason(teacher, head, session, django_capture_on_commit_callbacks):
    enrolment = request(teacher, session)
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_enrolment(
            user=head, enrolment=enrolment, reason="Départ en stage d'inspection ce jour-là"
        )
    assert len(mail.outbox) == 1
    body, html = assert_mail(
        mail.outbox[0], recipient=teacher, template="enrolment_declined", session=session
    )
    assert "Motif : Départ en stage d'inspection ce jour-là" in body
    assert escape("Départ en stage d'inspection ce jour-là") in html


def test_an_undecided_request_expires_and_says_so(
    teacher, session, django_capture_on_commit_callbacks
):
    request(teacher, session)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_enrolments(now=at(21)) == 1
    [message] = mails_to(teacher)
    body, _html = assert_mail(
        message, recipient=teacher, template="enrolment_expired", session=session
    )
    assert "clôture des inscriptions" in body


def test_a_cancelled_session_tells_each_active_enrolment_with_the_reason(
    teacher, head, manager, colleagues, make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1)
    booked, waitlisted, requested, declined = teacher, *colleagues
    for user in (booked, waitlisted):
        services.approve_enrolment(user=head, enrolment=request(user, session))
    request(requested, session)
    services.decline_enrolment(user=head, enrolment=request(declined, session), reason="Non")
    assert waitlisted.staff.enrolments.get().state == State.WAITLISTED
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(user=manager, session=session, reason="Formateur indisponible")
    assert len(mail.outbox) == 3
    for user in (booked, waitlisted, requested):
        [message] = mails_to(user)
        body, html = assert_mail(
            message, recipient=user, template="session_cancelled", session=session
        )
        assert "Motif : Formateur indisponible" in body
        assert "Formateur indisponible" in html
    assert mails_to(declined) == []


def test_a_moved_slot_tells_the_booked_people_with_the_new_time(
    teacher, head, manager, colleagues, session, django_capture_on_commit_callbacks
):
    services.approve_enrolment(user=head, enrolment=request(teacher, session))
    request(colleagues[0], session)  # still awaiting the head: not told
    slot = session.slots.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_slot(user=manager, slot=slot, start=at(31, 14), end=at(31, 17))
    assert len(mail.outbox) == 1
    body, html = assert_mail(
        mail.outbox[0], recipient=teacher, template="session_changed", session=session
    )
    assert "Modification : " in body
    assert f"{paris_day(at(31, 14))}, de 14:00 à 17:00" in body
    assert f"<strong>{paris_day(at(31, 14))}</strong>, de 14:00 à 17:00" in html
    assert paris_day(at(30, 9)) not in body  # the old date is gone


def test_reminders_are_sent_once_per_booked_enrolment(
    teacher, colleagues, make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=2, approval="none")
    for user in (teacher, colleagues[0], colleagues[1]):
        request(user, session)
    assert colleagues[1].staff.enrolments.get().state == State.WAITLISTED
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(days=40) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(days=40) == 0
    assert len(mail.outbox) == 2
    for user in (teacher, colleagues[0]):
        [message] = mails_to(user)
        body, _html = assert_mail(
            message, recipient=user, template="session_reminder", session=session
        )
        assert f"{paris_day(at(30))}, de 09:00 à 12:00" in body
    assert mails_to(colleagues[1]) == []


# --- The outbox task --------------------------------------------------------------------


def test_a_notification_task_run_twice_sends_once(
    teacher, head, session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request(teacher, session)
    notification = Notification.objects.get(template="enrolment_requested")
    assert len(mail.outbox) == 1
    assert tasks.send_notification(notification.pk) is False
    assert tasks.send_notification.run(notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_mail_server_failure_releases_the_claim_for_the_retry(
    teacher, head, session, monkeypatch
):
    request(teacher, session)  # queued; its after-commit task never runs in this test
    notification = Notification.objects.get(template="enrolment_requested")
    assert notification.sent_at is None

    def refuse(self, messages):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with pytest.raises(OSError):
        tasks.send_notification(notification.pk)
    notification.refresh_from_db()
    assert notification.sent_at is None
    assert mail.outbox == []

    monkeypatch.undo()
    assert tasks.send_notification(notification.pk) is True
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert len(mail.outbox) == 1
    assert_mail(mail.outbox[0], recipient=head, template="enrolment_requested", session=session)


# --- The templates ----------------------------------------------------------------------


def test_every_template_the_services_queue_exists():
    queued = set(notify.TEACHER_TEMPLATES.values()) | {
        "enrolment_requested",
        "enrolment_promoted",
        "session_changed",
        "session_reminder",
        "attendance_missing",
    }
    assert queued == set(TEMPLATES)


def render(name, context):
    with translation.override("fr"):
        return [
            render_to_string(f"emails/{name}_{part}", context)
            for part in ("subject.txt", "body.txt", "body.html")
        ]


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_renders_with_a_minimal_context(name, teacher):
    notification = Notification(recipient=teacher, template=name)
    subject, body, html = render(name, context_for(notification))
    assert subject.strip() and "\n" not in subject.strip()
    assert body.startswith("Bonjour Claire Martin,")
    assert "<p>Bonjour Claire Martin,</p>" in html
    # Even with nothing but the recipient, or nothing at all.
    subject, body, html = render(name, {"recipient": teacher})
    assert subject.strip().startswith("[Dune] ")
    assert body.startswith("Bonjour Claire Martin,")
    subject, body, html = render(name, {})
    assert subject.strip().startswith("[Dune] ") and "Cordialement" in body


@pytest.mark.parametrize(
    "name", ["enrolment_requested", "enrolment_booked", "session_changed", "session_reminder"]
)
def test_slots_are_listed_in_paris_time_with_their_place_or_link(
    name, teacher, session, other_school
):
    other_school.city = "Boulogne-Billancourt"
    other_school.save()
    Slot.objects.create(
        session=session,
        modality="virtual",
        title="Point d'étape",
        start=at(31, 14),
        end=at(31, 16),
        video_url="https://visio.example.org/salle?id=1&cle=2",
    )
    Slot.objects.create(
        session=session,
        modality="self_paced",
        start=at(32, 8),
        end=at(40, 18),
        credited_minutes=90,
    )
    Slot.objects.create(
        session=session,
        modality="in_person",
        start=at(45, 13, 30),
        end=at(45, 17),
        school=other_school,
        room="Amphi",
        status=Slot.Status.CANCELLED,
    )
    enrolment = Enrolment.objects.create(session=session, staff=teacher.staff, state="booked")
    notification = Notification(
        recipient=teacher, template=name, enrolment=enrolment, session=session
    )
    _subject, body, html = render(name, context_for(notification))

    # In person: Paris time, the school and the room.
    assert f"- {paris_day(at(30))}, de 09:00 à 12:00\n  Présentiel\n" in body
    assert "Lieu : Lycée Condorcet, Boulogne-Billancourt, salle B12" in body
    assert f"<strong>{paris_day(at(30))}</strong>, de 09:00 à 12:00" in html
    # Virtual: the link, escaped in HTML only.
    assert "Classe virtuelle : Point d'étape" in body
    assert "https://visio.example.org/salle?id=1&cle=2" in body
    assert '<a href="https://visio.example.org/salle?id=1&amp;cle=2">' in html
    # Self-paced: the window and the credited minutes.
    assert f"Du {paris_day(at(32))} (08:00) au {paris_day(at(40))} (18:00)" in body
    assert "90 minutes créditées" in body and "90 minutes créditées" in html
    # Cancelled: marked so.
    assert f"- [séance annulée] {paris_day(at(45))}, de 13:30 à 17:00" in body
    assert "<strong>Séance annulée :</strong>" in html
    # In French, never in UTC.
    assert any(
        month in body
        for month in (
            "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
        ).split()
    )
    assert "UTC" not in body and "+00:00" not in body


def test_a_session_without_dates_says_so(teacher, make_session):
    session = make_session(slots=False)
    enrolment = Enrolment.objects.create(session=session, staff=teacher.staff, state="approved")
    notification = Notification(
        recipient=teacher, template="enrolment_approved", enrolment=enrolment, session=session
    )
    _subject, body, html = render("enrolment_approved", context_for(notification))
    assert "Les dates de cette session ne sont pas encore fixées." in body
    assert "pas encore fixées" in html
