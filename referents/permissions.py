"""Who may see what in ``referents`` (uses ``training``'s scopes)."""

from __future__ import annotations

from django.db.models import Q

from referents.models import Appointment
from training.models import RoleMembership, School
from training.permissions import is_national
from training.roles import memberships_of, staff_of


def can_see_school_report(user, school: School) -> bool:
    """The school's head and référent(s), the académie's auditors and managers, the
    ministry."""
    if not user.is_authenticated:
        return False
    if is_national(user):
        return True
    for m in memberships_of(user):
        if m.role == RoleMembership.Role.HEAD and m.school_id == school.pk:
            return True
        if m.role in (RoleMembership.Role.AUDITOR, RoleMembership.Role.MANAGER) and (
            m.academy_id == school.academy_id
        ):
            return True
    staff = staff_of(user)
    return (
        staff is not None
        and Appointment.objects.filter(
            staff=staff,
            school=school,
            state__in=[Appointment.State.APPOINTED, Appointment.State.ENDED],
        ).exists()
    )


def is_head_of(user, school: School) -> bool:
    """Whether the user heads the school (he appoints its référent, attests *service
    fait*)."""
    return RoleMembership.objects.filter(
        user=user, role=RoleMembership.Role.HEAD, school=school
    ).exists()


def headed_schools(user):
    """The schools the user heads (the head's pages and endpoints look up in these)."""
    ids = [m.school_id for m in memberships_of(user) if m.role == RoleMembership.Role.HEAD]
    return School.objects.filter(pk__in=ids).order_by("name")


def visible_appointments(user):
    """The appointments (candidatures included) a user may read: his own, his school's
    as head, his académie's as auditor or manager, all for the ministry. Outside: 404."""
    if not user.is_authenticated:
        return Appointment.objects.none()
    if is_national(user):
        return Appointment.objects.all()
    scope = Q(pk__in=[])
    for m in memberships_of(user):
        if m.role == RoleMembership.Role.HEAD:
            scope |= Q(school_id=m.school_id)
        elif m.role in (RoleMembership.Role.AUDITOR, RoleMembership.Role.MANAGER):
            scope |= Q(school__academy_id=m.academy_id)
    staff = staff_of(user)
    if staff is not None:
        scope |= Q(staff=staff)
    return Appointment.objects.filter(scope)
