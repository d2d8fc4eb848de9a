"""Choosing one's password from an activation or reset e-mail (Django's views, DSFR
templates): the link works once and expires."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from accounts.forms.passwords import DsfrPasswordResetForm, DsfrSetPasswordForm


class PasswordResetView(auth_views.PasswordResetView):
    form_class = DsfrPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "emails/password_reset_body.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ActivateView(auth_views.PasswordResetConfirmView):
    """The link of an activation or a reset e-mail."""

    form_class = DsfrSetPasswordForm
    template_name = "accounts/activate.html"
    success_url = reverse_lazy("accounts:activated")
    post_reset_login = False


class ActivatedView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/activated.html"
