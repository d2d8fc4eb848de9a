"""Who may see what in ``referents`` (uses ``training``'s scopes)."""

from __future__ import annotations

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
