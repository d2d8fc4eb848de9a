"""Who holds which role, where.

``roles_of(user)`` lists a person's roles with their scope. The teacher role follows
from an active staff profile, the head/trainer/auditor/manager/national roles from
memberships. Other apps add derived roles through ``register_role_provider`` (the
``referents`` app adds the référent role of an active appointment), so that
``training`` never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from training.models import Academy, RoleMembership, School, Staff

TEACHER = "teacher"
REFERENT = "referent"

ROLE_LABELS = {
    TEACHER: _("Enseignant"),
    REFERENT: _("Référent numérique"),
    **dict(RoleMembership.Role.choices),
}


@dataclass(frozen=True)
class Role:
    code: str
    school: School | None = None
    academy: Academy | None = None

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self.code])

    @property
    def scope(self) -> School | Academy | None:
        return self.school or self.academy


RoleProvider = Callable[[object], list[Role]]
_providers: list[RoleProvider] = []


def register_role_provider(provider: RoleProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def staff_of(user) -> Staff | None:
    """The user's active staff profile (cached on the user object for the request)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_dune_staff"):
        user._dune_staff = (
            Staff.objects.select_related("school__academy", "school__district")
            .filter(user=user, active=True)
            .first()
        )
    return user._dune_staff


def memberships_of(user) -> list[RoleMembership]:
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_dune_memberships"):
        user._dune_memberships = list(
            RoleMembership.objects.filter(user=user).select_related("school__academy", "academy")
        )
    return user._dune_memberships


def roles_of(user) -> list[Role]:
    if not user.is_authenticated:
        return []
    roles: list[Role] = []
    staff = staff_of(user)
    if staff is not None:
        roles.append(Role(TEACHER, school=staff.school, academy=staff.school.academy))
    for provider in _providers:
        roles.extend(provider(user))
    for m in memberships_of(user):
        roles.append(
            Role(m.role, school=m.school, academy=m.academy or (m.school and m.school.academy))
        )
    return roles


def has_role(user, code: str) -> bool:
    return any(role.code == code for role in roles_of(user))
