"""Whose sign-ins and accounts a manager may see: the people of the académies he
manages (their staff profile's school, or a role there); the ministry everyone."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from training.permissions import is_national, managed_academies


def may_manage_accounts(user) -> bool:
    return user.is_authenticated and managed_academies(user).exists()


def managed_people(user) -> QuerySet:
    """The accounts of the people the user manages (none for anyone but managers)."""
    User = get_user_model()
    if not user.is_authenticated:
        return User.objects.none()
    if is_national(user):
        return User.objects.all()
    academies = managed_academies(user)
    return User.objects.filter(
        Q(staff__school__academy__in=academies)
        | Q(memberships__academy__in=academies)
        | Q(memberships__school__academy__in=academies)
    ).distinct()
