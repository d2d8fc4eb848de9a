"""Who may see and do what in ``training``: every view, endpoint and export uses these.

Scopes are querysets: an object outside them is a 404 for the user, never a 403 that
would confirm it exists.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from training.models import (
    Academy,
    Enrolment,
    RoleMembership,
    School,
    SchoolPlan,
    Session,
    Staff,
    TrainingNeed,
)
from training.roles import REFERENT, memberships_of, roles_of, staff_of

Role = RoleMembership.Role


def is_national(user) -> bool:
    return user.is_authenticated and any(m.role == Role.NATIONAL for m in memberships_of(user))


def _academy_ids(user, roles) -> set[int]:
    return {m.academy_id for m in memberships_of(user) if m.role in roles}


def headed_school_ids(user) -> set[int]:
    return {m.school_id for m in memberships_of(user) if m.role == Role.HEAD}


def visible_academies(user) -> QuerySet[Academy]:
    if not user.is_authenticated:
        return Academy.objects.none()
    if is_national(user):
        return Academy.objects.all()
    school_ids = headed_school_ids(user)
    staff = staff_of(user)
    if staff is not None:
        school_ids.add(staff.school_id)
    return Academy.objects.filter(
        Q(pk__in=_academy_ids(user, RoleMembership.ACADEMY_ROLES)) | Q(schools__pk__in=school_ids)
    ).distinct()


def visible_schools(user) -> QuerySet[School]:
    """Schools a person may look at: his own, those he heads, his académie's."""
    if not user.is_authenticated:
        return School.objects.none()
    if is_national(user):
        return School.objects.all()
    school_ids = headed_school_ids(user)
    staff = staff_of(user)
    if staff is not None:
        school_ids.add(staff.school_id)
    academy_ids = _academy_ids(user, RoleMembership.ACADEMY_ROLES)
    return School.objects.filter(Q(pk__in=school_ids) | Q(academy_id__in=academy_ids))


def visible_staff(user) -> QuerySet[Staff]:
    """Staff records a person may look at: himself, his school's if head, his académie's
    if auditor or manager."""
    if not user.is_authenticated:
        return Staff.objects.none()
    if is_national(user):
        return Staff.objects.all()
    academy_ids = _academy_ids(user, (Role.AUDITOR, Role.MANAGER))
    return Staff.objects.filter(
        Q(user=user)
        | Q(school_id__in=headed_school_ids(user))
        | Q(school__academy_id__in=academy_ids)
    )


def can_manage_academy(user, academy: Academy) -> bool:
    """Managers of an académie build its directory and catalogue; the ministry may too."""
    return is_national(user) or academy.pk in _academy_ids(user, (Role.MANAGER,))


def managed_academies(user) -> QuerySet[Academy]:
    if is_national(user):
        return Academy.objects.all()
    return Academy.objects.filter(pk__in=_academy_ids(user, (Role.MANAGER,)))


# --- Sessions and enrolments ----------------------------------------------------------


def _own_school_ids(user) -> set[int]:
    ids = headed_school_ids(user)
    staff = staff_of(user)
    if staff is not None:
        ids.add(staff.school_id)
    return ids


def visible_sessions(user) -> QuerySet[Session]:
    """Sessions a person may see: his académie's published sessions meant for his school
    (in-school sessions of other schools and sessions of other bassins excluded), those
    he trains or is enrolled in, and, for the rectorate, all of its académie's."""
    if not user.is_authenticated:
        return Session.objects.none()
    if is_national(user):
        return Session.objects.all()
    published = Q(status=Session.Status.PUBLISHED)
    q = Q(pk__in=Session.trainers.through.objects.filter(user_id=user.pk).values("session_id"))
    q |= Q(module__programme__academy_id__in=_academy_ids(user, (Role.AUDITOR, Role.MANAGER)))
    q |= published & Q(module__programme__academy_id__in=_academy_ids(user, (Role.TRAINER,)))
    for school in School.objects.filter(pk__in=_own_school_ids(user)):
        q |= (
            published
            & Q(module__programme__academy_id=school.academy_id)
            & (Q(host_school__isnull=True) | Q(host_school_id=school.pk))
            & (Q(district__isnull=True) | Q(district_id=school.district_id))
        )
    enrolled = Enrolment.objects.filter(
        Q(staff__user_id=user.pk) | Q(staff__school_id__in=headed_school_ids(user))
    ).values("session_id")
    q |= Q(pk__in=enrolled)
    return Session.objects.filter(q)


def catalogue_sessions(user) -> QuerySet[Session]:
    """What the catalogue lists: the published sessions one may see; the rectorate's
    managers also find their académie's sessions in preparation (or cancelled)."""
    managed = _academy_ids(user, (Role.MANAGER,))
    return visible_sessions(user).filter(
        Q(status=Session.Status.PUBLISHED) | Q(module__programme__academy_id__in=managed)
    )


def can_manage_session(user, session: Session) -> bool:
    return can_manage_academy(user, session.module.programme.academy)


def is_trainer_of(user, session: Session) -> bool:
    return user.is_authenticated and session.trainers.filter(pk=user.pk).exists()


def can_see_roster(user, session: Session) -> bool:
    """The list of participants: the session's trainers and the académie's rectorate."""
    academy_id = session.module.programme.academy_id
    return (
        is_national(user)
        or academy_id in _academy_ids(user, (Role.AUDITOR, Role.MANAGER))
        or is_trainer_of(user, session)
    )


def approval_queue(user) -> QuerySet[Enrolment]:
    """Requests waiting for this head's decision."""
    return Enrolment.objects.filter(
        state=Enrolment.State.REQUESTED, staff__school_id__in=headed_school_ids(user)
    )


def confirmation_queue(user) -> QuerySet[Enrolment]:
    """Enrolments approved by heads, waiting for the rectorate of this manager."""
    return Enrolment.objects.filter(
        state=Enrolment.State.APPROVED,
        rectorate_confirmed_at__isnull=True,
        session__approval=Session.Approval.HEAD_THEN_RECTORATE,
        session__module__programme__academy__in=managed_academies(user),
    )


def visible_enrolments(user) -> QuerySet[Enrolment]:
    if not user.is_authenticated:
        return Enrolment.objects.none()
    if is_national(user):
        return Enrolment.objects.all()
    trained = Session.trainers.through.objects.filter(user_id=user.pk).values("session_id")
    return Enrolment.objects.filter(
        Q(staff__user_id=user.pk)
        | Q(staff__school_id__in=headed_school_ids(user))
        | Q(
            session__module__programme__academy_id__in=_academy_ids(
                user, (Role.AUDITOR, Role.MANAGER)
            )
        )
        | Q(session_id__in=trained)
    )


# --- School training plans and needs -------------------------------------------------


def drafting_school_ids(user) -> set[int]:
    """Schools whose plan the user prepares: as their référent or their head."""
    return {
        role.school.pk
        for role in roles_of(user)
        if role.code in (REFERENT, Role.HEAD) and role.school is not None
    }


def rectorate_academy_ids(user) -> set[int]:
    return _academy_ids(user, (Role.AUDITOR, Role.MANAGER))


def can_draft(user, school: School) -> bool:
    return school.pk in drafting_school_ids(user)


def can_decide(user, school: School) -> bool:
    return school.pk in headed_school_ids(user)


def is_rectorate_of(user, school: School) -> bool:
    return is_national(user) or school.academy_id in rectorate_academy_ids(user)


def visible_plans(user) -> QuerySet[SchoolPlan]:
    """The school's référent and head see every version; the rectorate of the académie
    (and the ministry) the submitted and approved ones; nobody else anything."""
    if not user.is_authenticated:
        return SchoolPlan.objects.none()
    published = Q(status__in=SchoolPlan.PUBLISHED)
    q = Q(school_id__in=drafting_school_ids(user))
    if is_national(user):
        q |= published
    else:
        q |= published & Q(school__academy_id__in=rectorate_academy_ids(user))
    return SchoolPlan.objects.filter(q)


def plan_schools(user) -> QuerySet[School]:
    """Schools whose plan page the user may open (drafting, or reading as rectorate)."""
    if not user.is_authenticated:
        return School.objects.none()
    if is_national(user):
        return School.objects.all()
    return School.objects.filter(
        Q(pk__in=drafting_school_ids(user)) | Q(academy_id__in=rectorate_academy_ids(user))
    )


def visible_needs(user) -> QuerySet[TrainingNeed]:
    """A teacher sees his own needs; the référent and head their school's; the rectorate
    its académie's; the ministry all."""
    if not user.is_authenticated:
        return TrainingNeed.objects.none()
    if is_national(user):
        return TrainingNeed.objects.all()
    return TrainingNeed.objects.filter(
        Q(staff__user_id=user.pk)
        | Q(school_id__in=drafting_school_ids(user))
        | Q(school__academy_id__in=rectorate_academy_ids(user))
    )
