"""Who may see and do what in ``training``: every view, endpoint and export uses these.

Scopes are querysets: an object outside them is a 404 for the user, never a 403 that
would confirm it exists.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from training.models import Academy, RoleMembership, School, Staff
from training.roles import memberships_of, staff_of

Role = RoleMembership.Role


def is_national(user) -> bool:
    return user.is_authenticated and any(m.role == Role.NATIONAL for m in memberships_of(user))


def _academy_ids(user, roles) -> set[int]:
    return {m.academy_id for m in memberships_of(user) if m.role in roles}


def _headed_school_ids(user) -> set[int]:
    return {m.school_id for m in memberships_of(user) if m.role == Role.HEAD}


def visible_academies(user) -> QuerySet[Academy]:
    if not user.is_authenticated:
        return Academy.objects.none()
    if is_national(user):
        return Academy.objects.all()
    school_ids = _headed_school_ids(user)
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
    school_ids = _headed_school_ids(user)
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
        | Q(school_id__in=_headed_school_ids(user))
        | Q(school__academy_id__in=academy_ids)
    )


def can_manage_academy(user, academy: Academy) -> bool:
    """Managers of an académie build its directory and catalogue; the ministry may too."""
    return is_national(user) or academy.pk in _academy_ids(user, (Role.MANAGER,))


def managed_academies(user) -> QuerySet[Academy]:
    if is_national(user):
        return Academy.objects.all()
    return Academy.objects.filter(pk__in=_academy_ids(user, (Role.MANAGER,)))
