"""Activation e-mails: staff created by an import or by hand have no password; a manager
sends them a single-use, expiring "set your password" link, in bulk but never by
surprise (he picks the people and confirms the count; at most ``BATCH`` at once)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

BATCH = 500


def activation_url(user) -> str:
    """The link that lets the person choose a password once (Django's password-reset
    token: it stops working when the password is set, and after
    ``PASSWORD_RESET_TIMEOUT``)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:activate", args=[uid, token])


def needs_activation(users):
    """Those of ``users`` (a queryset) who can sign in only once they have a password:
    active, with an e-mail address and no usable password."""
    unusable = {"password__startswith": UNUSABLE_PASSWORD_PREFIX}
    return users.filter(is_active=True, **unusable).exclude(email="")


def send_activation(*, users) -> int:
    """One e-mail per person; returns how many were sent."""
    sent = 0
    days = settings.PASSWORD_RESET_TIMEOUT // 86400
    for user in users[:BATCH]:
        context = {"user": user, "url": activation_url(user), "days": days}
        subject = render_to_string("emails/account_activation_subject.txt", context).strip()
        body = render_to_string("emails/account_activation_body.txt", context)
        sent += send_mail(subject, body, None, [user.email])
    return sent
