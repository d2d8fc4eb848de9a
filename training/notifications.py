"""Rendering and sending one notification e-mail (plain text and HTML, in French)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from training.models import Notification


def context_for(notification: Notification) -> dict:
    session = notification.session
    enrolment = notification.enrolment
    context = {
        "notification": notification,
        "recipient": notification.recipient,
        "enrolment": enrolment,
        "session": session,
        "reason": notification.reason,
        "site_url": settings.SITE_URL,
    }
    if session is not None:
        context["slots"] = list(session.slots.select_related("school").order_by("start"))
        context["session_url"] = settings.SITE_URL + reverse(
            "training:session_detail", args=[session.pk]
        )
    context["queue_url"] = settings.SITE_URL + reverse("training:approval_queue")
    context["my_training_url"] = settings.SITE_URL + reverse("training:my_training")
    return context


def send(notification: Notification) -> None:
    if not notification.recipient.email:
        return
    context = context_for(notification)
    name = f"emails/{notification.template}"
    with translation.override("fr"):
        subject = render_to_string(f"{name}_subject.txt", context).strip()
        text = render_to_string(f"{name}_body.txt", context)
        html = render_to_string(f"{name}_body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[notification.recipient.email])
    message.attach_alternative(html, "text/html")
    message.send()
