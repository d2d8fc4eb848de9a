"""Enrolment: requests, approvals, seats, waitlists, cancellations.

State machine (DESIGN.md): ``requested → approved → booked | waitlisted``, ``declined``,
``expired``, ``cancelled``, ``session_cancelled``. Every change writes an
``EnrolmentEvent`` and the notifications it causes, in the same transaction.

Seats: every write that gives or frees a seat first locks the session row
(``select_for_update``) and counts the booked seats inside the transaction, so two
people can never take the last seat together. Before checking that a person is free at
those times, it also locks his staff row, so that the same person asking for two
overlapping sessions at once cannot be booked on both. Locks are always taken in that
order (session, then person, then enrolment rows), so that two services never wait on
each other in a cycle. On PostgreSQL the row locks serialise them; SQLite has no row
locks (``select_for_update`` is a no-op there) but Dune opens every SQLite transaction
with ``BEGIN IMMEDIATE``, which takes the database's write lock up front: writers queue
one after the other, which gives the same guarantee.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from training import jobs
from training.errors import TrainingError
from training.formatting import describe_slot, moment
from training.models import (
    Enrolment,
    EnrolmentEvent,
    Modality,
    Programme,
    RoleMembership,
    Session,
    Slot,
    Staff,
)
from training.permissions import can_manage_academy
from training.services import notify

State = Enrolment.State


def lock_session(session_id: int) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("module__programme__academy", "host_school", "district")
        .get(pk=session_id)
    )


def _transition(enrolment: Enrolment, to_state: str, *, actor, reason: str = "") -> EnrolmentEvent:
    from_state = enrolment.state
    enrolment.state = to_state
    fields = ["state", "updated_at"]
    if to_state == State.WAITLISTED:
        enrolment.waitlisted_at = timezone.now()
        fields.append("waitlisted_at")
    if reason and to_state in (
        State.DECLINED,
        State.CANCELLED,
        State.EXPIRED,
        State.SESSION_CANCELLED,
    ):
        enrolment.reason = reason
        fields.append("reason")
    enrolment.save(update_fields=fields)
    event = EnrolmentEvent.objects.create(
        enrolment=enrolment, from_state=from_state, to_state=to_state, actor=actor, reason=reason
    )
    notify.enrolment_changed(enrolment=enrolment, event=event)
    return event


def _timed_slots(queryset):
    return queryset.exclude(modality=Modality.SELF_PACED).exclude(status=Slot.Status.CANCELLED)


def overlapping_booking(staff: Staff, session: Session) -> tuple[Slot, Slot] | None:
    """A slot of ``session`` and one the person is already booked on, that overlap."""
    mine = _timed_slots(
        Slot.objects.filter(
            session__enrolments__staff=staff, session__enrolments__state=State.BOOKED
        ).exclude(session=session)
    ).select_related("session__module")
    for slot in _timed_slots(session.slots.all()):
        other = mine.filter(start__lt=slot.end, end__gt=slot.start).first()
        if other is not None:
            return slot, other
    return None


def _lock_person(staff: Staff) -> None:
    list(Staff.objects.select_for_update().filter(pk=staff.pk).order_by().values_list("pk"))


def _refuse_overlap(staff: Staff, session: Session) -> None:
    """Refuse if the person is booked elsewhere at the same time. The caller holds the
    session lock; the person's lock is taken here, before reading his bookings."""
    _lock_person(staff)
    clash = overlapping_booking(staff, session)
    if clash:
        slot, other = clash
        raise TrainingError(
            _("La séance du %(start)s chevauche %(other)s, où %(name)s a déjà une place.")
            % {"start": moment(slot.start), "other": describe_slot(other), "name": staff.full_name},
            status=409,
        )


def _check_eligible(staff: Staff, session: Session) -> None:
    programme = session.module.programme
    if staff.school.academy_id != programme.academy_id:
        raise TrainingError(_("Cette formation relève d'une autre académie."), status=403)
    if session.host_school_id and staff.school_id != session.host_school_id:
        raise TrainingError(
            _("Cette formation d'établissement est réservée aux personnels de %(school)s.")
            % {"school": session.host_school.name},
            status=403,
        )
    if session.district_id and staff.school.district_id != session.district_id:
        raise TrainingError(
            _("Cette session est réservée aux personnels de : %(district)s.")
            % {"district": session.district},
            status=403,
        )
    if programme.degree and staff.degree != programme.degree:
        raise TrainingError(
            _("Cette formation s'adresse aux personnels du %(degree)s.")
            % {"degree": programme.get_degree_display()},
            status=403,
        )


def _check_open(session: Session, now: dt.datetime) -> None:
    if session.status == Session.Status.CANCELLED:
        raise TrainingError(_("Cette session est annulée."), status=409)
    if session.status != Session.Status.PUBLISHED:
        raise TrainingError(
            _("Cette session n'est pas encore ouverte aux inscriptions."), status=409
        )
    if session.enrolment_opens and now < session.enrolment_opens:
        raise TrainingError(
            _("Les inscriptions ouvrent le %(date)s.") % {"date": moment(session.enrolment_opens)},
            status=409,
        )
    if session.enrolment_closes and now >= session.enrolment_closes:
        raise TrainingError(
            _("Les inscriptions sont closes depuis le %(date)s.")
            % {"date": moment(session.enrolment_closes)},
            status=409,
        )


def _is_full(session: Session) -> bool:
    return session.enrolments.booked().count() >= session.capacity


def _refuse_if_full_without_waitlist(session: Session) -> None:
    if not session.waitlist_enabled and _is_full(session):
        raise TrainingError(
            _("Cette session est complète et n'a pas de liste d'attente."), status=409
        )


def _place(
    session: Session, enrolment: Enrolment, *, actor, reason: str = "", person_checked=False
) -> None:
    """Give a seat, or a place on the waitlist. The session row is locked by the caller;
    ``person_checked`` when the caller already locked the person and checked his
    bookings in this transaction.

    A session without dates yet keeps the enrolment approved: seats are given when the
    first slot is scheduled (``book_waiting_for_dates``).
    """
    if enrolment.state != State.APPROVED:
        _transition(enrolment, State.APPROVED, actor=actor)
    if not session.active_slots().exists():
        return
    if not person_checked:
        _refuse_overlap(enrolment.staff, session)
    if not _is_full(session):
        _transition(enrolment, State.BOOKED, actor=actor, reason=reason)
    elif session.waitlist_enabled:
        _transition(enrolment, State.WAITLISTED, actor=actor, reason=reason)
    else:
        raise TrainingError(
            _("Cette session est complète et n'a pas de liste d'attente."), status=409
        )


def _create(session: Session, staff: Staff, *, actor) -> tuple[Enrolment, EnrolmentEvent]:
    # The unique constraint (one live enrolment per person and session) is the check:
    # it also catches two requests racing each other.
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                session=session, staff=staff, state=State.REQUESTED, created_by=actor
            )
    except IntegrityError:
        raise TrainingError(
            _("%(name)s a déjà une inscription en cours à cette session.")
            % {"name": staff.full_name},
            status=409,
        ) from None
    event = EnrolmentEvent.objects.create(
        enrolment=enrolment, from_state="", to_state=State.REQUESTED, actor=actor
    )
    return enrolment, event


@transaction.atomic
def request_enrolment(*, user, session: Session, staff: Staff) -> Enrolment:
    """A teacher asks to enrol (candidature individuelle)."""
    if staff.user_id != user.pk:
        raise TrainingError(_("On ne s'inscrit qu'en son nom propre."), status=403)
    session = lock_session(session.pk)
    if session.module.programme.kind == Programme.Kind.DESIGNATED:
        raise TrainingError(
            _(
                "Cette formation est à public désigné : le rectorat ou le chef "
                "d'établissement inscrit les participants."
            ),
            status=409,
        )
    if session.trainers.filter(pk=user.pk).exists():
        raise TrainingError(
            _("Vous animez cette session : on ne s'inscrit pas à sa propre formation."),
            status=409,
        )
    _check_open(session, timezone.now())
    _check_eligible(staff, session)
    _refuse_overlap(staff, session)
    _refuse_if_full_without_waitlist(session)
    enrolment, event = _create(session, staff, actor=user)
    if session.approval == Session.Approval.NONE:
        _place(session, enrolment, actor=user, person_checked=True)
    else:
        notify.enrolment_changed(enrolment=enrolment, event=event)
    return enrolment


def _heads_school_ids(user) -> set[int]:
    return set(
        RoleMembership.objects.filter(user=user, role=RoleMembership.Role.HEAD).values_list(
            "school_id", flat=True
        )
    )


def _locked_enrolment(enrolment: Enrolment) -> tuple[Session, Enrolment]:
    session = lock_session(enrolment.session_id)
    enrolment = Enrolment.objects.select_related("staff__user", "staff__school").get(
        pk=enrolment.pk
    )
    return session, enrolment


@transaction.atomic
def approve_enrolment(*, user, enrolment: Enrolment) -> Enrolment:
    """The head of the teacher's school approves; with ``head`` the seat follows at once,
    with ``head_then_rectorate`` the académie's manager confirms afterwards."""
    session, enrolment = _locked_enrolment(enrolment)
    if enrolment.staff.school_id not in _heads_school_ids(user):
        raise TrainingError(
            _("Vous n'êtes pas chef de l'établissement de cette personne."), status=403
        )
    if enrolment.state != State.REQUESTED:
        raise TrainingError(
            _("Cette demande n'est plus en attente (%(state)s).")
            % {"state": enrolment.get_state_display()},
            status=409,
        )
    if session.status == Session.Status.CANCELLED:
        raise TrainingError(_("Cette session est annulée."), status=409)
    enrolment.head_approved_at = timezone.now()
    enrolment.save(update_fields=["head_approved_at"])
    if session.approval == Session.Approval.HEAD_THEN_RECTORATE:
        _transition(enrolment, State.APPROVED, actor=user)
    else:
        _place(session, enrolment, actor=user)
    return enrolment


@transaction.atomic
def confirm_enrolment(*, user, enrolment: Enrolment) -> Enrolment:
    """The académie's manager confirms an enrolment the head approved."""
    session, enrolment = _locked_enrolment(enrolment)
    if not can_manage_academy(user, session.module.programme.academy):
        raise TrainingError(
            _("Seul le rectorat de l'académie confirme les inscriptions."), status=403
        )
    if (
        session.approval != Session.Approval.HEAD_THEN_RECTORATE
        or enrolment.state != State.APPROVED
        or enrolment.rectorate_confirmed_at is not None
    ):
        raise TrainingError(
            _("Cette inscription n'attend pas de confirmation du rectorat."), status=409
        )
    enrolment.rectorate_confirmed_at = timezone.now()
    enrolment.save(update_fields=["rectorate_confirmed_at"])
    if not session.active_slots().exists():
        # No dates yet: the state stays "approved", but the confirmation is history too.
        EnrolmentEvent.objects.create(
            enrolment=enrolment,
            from_state=State.APPROVED,
            to_state=State.APPROVED,
            actor=user,
            reason=_("Confirmée par le rectorat, en attente des dates."),
        )
    _place(session, enrolment, actor=user)
    return enrolment


@transaction.atomic
def decline_enrolment(*, user, enrolment: Enrolment, reason: str) -> Enrolment:
    session, enrolment = _locked_enrolment(enrolment)
    reason = (reason or "").strip()
    if not reason:
        raise TrainingError(_("Indiquez le motif du refus : la personne le recevra."))
    awaiting_rectorate = (
        enrolment.state == State.APPROVED and enrolment.rectorate_confirmed_at is None
    )
    if enrolment.state == State.REQUESTED:
        if enrolment.staff.school_id not in _heads_school_ids(user):
            raise TrainingError(
                _("Vous n'êtes pas chef de l'établissement de cette personne."), status=403
            )
    elif awaiting_rectorate and session.approval == Session.Approval.HEAD_THEN_RECTORATE:
        if not can_manage_academy(user, session.module.programme.academy):
            raise TrainingError(
                _("Seul le rectorat de l'académie peut refuser à ce stade."), status=403
            )
    else:
        raise TrainingError(
            _("Cette demande n'est plus en attente (%(state)s).")
            % {"state": enrolment.get_state_display()},
            status=409,
        )
    _transition(enrolment, State.DECLINED, actor=user, reason=reason)
    return enrolment


def bulk(
    action, *, user, enrolments, **kwargs
) -> tuple[list[Enrolment], list[tuple[Enrolment, str]]]:
    """Apply ``action`` to each enrolment in its own transaction: one refusal (a full
    session) does not undo the others. Returns what was done and what was refused why."""
    done, refused = [], []
    for enrolment in enrolments:
        try:
            done.append(action(user=user, enrolment=enrolment, **kwargs))
        except TrainingError as exc:
            refused.append((enrolment, exc.message))
        except ValidationError as exc:
            refused.append((enrolment, " ".join(exc.messages)))
    return done, refused


@transaction.atomic
def cancel_enrolment(*, user, enrolment: Enrolment, reason: str) -> Enrolment:
    """The teacher withdraws, up to the session's cut-off before its first slot."""
    session, enrolment = _locked_enrolment(enrolment)
    if enrolment.staff.user_id != user.pk:
        raise TrainingError(_("Seule la personne inscrite peut se désister."), status=403)
    if not enrolment.is_active:
        raise TrainingError(_("Cette inscription n'est plus en cours."), status=409)
    reason = (reason or "").strip()
    if not reason:
        raise TrainingError(_("Indiquez le motif de votre désistement."))
    if not session.may_withdraw():
        raise TrainingError(
            _(
                "Le désistement n'est plus possible en ligne depuis le %(date)s : "
                "prévenez votre chef d'établissement et le formateur."
            )
            % {"date": moment(session.withdrawal_deadline())},
            status=409,
        )
    was_booked = enrolment.state == State.BOOKED
    _transition(enrolment, State.CANCELLED, actor=user, reason=reason)
    if was_booked:
        schedule_promotion(session)
    return enrolment


@transaction.atomic
def book_staff(*, user, session: Session, staff: Staff) -> Enrolment:
    """Public désigné: the rectorate (or the head, for his own staff) books a person."""
    session = lock_session(session.pk)
    academy = session.module.programme.academy
    is_manager = can_manage_academy(user, academy)
    head_of_designated = (
        session.module.programme.kind == Programme.Kind.DESIGNATED
        and staff.school_id in _heads_school_ids(user)
    )
    # The rectorate books anyone; a head books his own staff on public désigné sessions
    # only (elsewhere his staff ask, and he approves).
    if not (is_manager or head_of_designated):
        raise TrainingError(_("Vous ne pouvez pas inscrire cette personne."), status=403)
    if session.status == Session.Status.CANCELLED:
        raise TrainingError(_("Cette session est annulée."), status=409)
    _check_eligible(staff, session)
    _refuse_overlap(staff, session)
    _refuse_if_full_without_waitlist(session)
    enrolment, _event = _create(session, staff, actor=user)
    _place(
        session,
        enrolment,
        actor=user,
        reason=_("Inscription par %(name)s") % {"name": user.get_full_name()},
        person_checked=True,
    )
    return enrolment


def schedule_promotion(session: Session) -> None:
    """Offer freed seats to the waitlist, after commit, in a Celery task."""
    jobs.enqueue_on_commit(jobs.PROMOTE_WAITLIST, session.pk)


@transaction.atomic
def promote_waitlist(*, session_id: int, now: dt.datetime | None = None) -> list[Enrolment]:
    """Give free seats to the first waitlisted people. Idempotent: it re-counts the seats
    under the session lock, so a second run finds nothing to do."""
    now = now or timezone.now()
    session = lock_session(session_id)
    if session.status == Session.Status.CANCELLED:
        return []
    first = session.first_start()
    if first is not None and now >= first - dt.timedelta(days=session.promotion_cutoff_days):
        # Too close to the start for someone to rearrange his week: the seat stays free
        # and the rectorate may offer it by hand.
        return []
    free = session.capacity - session.enrolments.booked().count()
    promoted = []
    for enrolment in session.enrolments.waitlist().select_related("staff__user"):
        if free <= 0:
            break
        _lock_person(enrolment.staff)
        if overlapping_booking(enrolment.staff, session):
            continue  # booked elsewhere at the same time since: the next person gets it
        _transition(enrolment, State.BOOKED, actor=None, reason=_("Place libérée"))
        promoted.append(enrolment)
        free -= 1
    return promoted


def book_waiting_for_dates(*, session: Session) -> None:
    """The first dates of a session are set: approved enrolments get their seats, in the
    order they were made. Called inside the slot's transaction, session locked."""
    waiting = (
        session.enrolments.filter(state=State.APPROVED)
        .select_related("staff__user", "staff__school")
        .order_by("created_at", "pk")
    )
    for enrolment in waiting:
        if (
            session.approval == Session.Approval.HEAD_THEN_RECTORATE
            and not enrolment.rectorate_confirmed_at
        ):
            continue
        try:
            with transaction.atomic():
                _place(session, enrolment, actor=None)
        except TrainingError as exc:
            _transition(enrolment, State.DECLINED, actor=None, reason=exc.message)


@transaction.atomic
def cancel_session(*, user, session: Session, reason: str) -> Session:
    session = lock_session(session.pk)
    if not can_manage_academy(user, session.module.programme.academy):
        raise TrainingError(
            _("Seul le rectorat de l'académie peut annuler une session."), status=403
        )
    reason = (reason or "").strip()
    if not reason:
        raise TrainingError(_("Indiquez le motif de l'annulation : les inscrits le recevront."))
    if session.status == Session.Status.CANCELLED:
        return session
    for enrolment in session.enrolments.active().select_related("staff__user"):
        _transition(enrolment, State.SESSION_CANCELLED, actor=user, reason=reason)
    session.status = Session.Status.CANCELLED
    session.cancelled_reason = reason
    session.save(update_fields=["status", "cancelled_reason", "updated_at"])
    for slot in session.slots.exclude(status=Slot.Status.CANCELLED):
        slot.status = Slot.Status.CANCELLED
        slot.sequence += 1
        slot.save(update_fields=["status", "sequence", "updated_at"])
    return session


def expire_enrolments(*, now: dt.datetime | None = None) -> int:
    """Requests still undecided when the enrolment window closes expire (periodic job).

    One transaction per session, which is locked first like every other enrolment
    write: locking the enrolments first would deadlock with a head approving at that
    moment. A session that fails does not undo the others."""
    now = now or timezone.now()
    session_ids = (
        Enrolment.objects.filter(
            session__enrolment_closes__lte=now, state__in=[State.REQUESTED, State.APPROVED]
        )
        .order_by("session_id")
        .values_list("session_id", flat=True)
        .distinct()
    )
    return sum(_expire_session(session_id, now) for session_id in list(session_ids))


@transaction.atomic
def _expire_session(session_id: int, now: dt.datetime) -> int:
    session = lock_session(session_id)
    if session.enrolment_closes is None or session.enrolment_closes > now:
        return 0  # the window was extended meanwhile
    pending = session.enrolments.filter(state__in=[State.REQUESTED, State.APPROVED]).select_related(
        "staff__user"
    )
    count = 0
    for enrolment in pending:
        awaiting = enrolment.state == State.REQUESTED or (
            session.approval == Session.Approval.HEAD_THEN_RECTORATE
            and enrolment.rectorate_confirmed_at is None
        )
        if awaiting:
            _transition(
                enrolment,
                State.EXPIRED,
                actor=None,
                reason=_("Aucune décision avant la clôture des inscriptions."),
            )
            count += 1
    return count
