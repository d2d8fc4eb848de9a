"""« Mon agenda »: the person's secret calendar feed link (create, rotate, revoke) and
the public feeds he may subscribe to. Parse, call a service, render.

The secret of the feed link is stored only as a hash, so the full link can be shown
once: in the answer to the POST that creates it, which is rendered directly rather than
redirected, so that the secret is never written anywhere (not even in the session).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from training import services
from training.models import CalendarToken, RoleMembership
from training.roles import REFERENT, TEACHER, roles_of

# The roles whose school's feed a person may subscribe to.
SCHOOL_FEED_ROLES = {TEACHER, REFERENT, RoleMembership.Role.HEAD}


def _feed_links(request, url_name: str, *args) -> dict[str, str]:
    """The feed's address for a browser or Google (https://, or http:// in development)
    and the same address as webcal://, which opens the calendar app on a click."""
    url = request.build_absolute_uri(reverse(url_name, args=args))
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@login_required
@require_GET
def agenda(request):
    return _page(request)


def _page(request, raw: str | None = None):
    """The page; with ``raw``, the secret just created, shown this once."""
    user = request.user
    token = CalendarToken.objects.filter(user=user).active().first()
    roles = roles_of(user)
    academies = {role.academy.pk: role.academy for role in roles if role.academy}
    schools = {
        role.school.pk: role.school
        for role in roles
        if role.school and role.code in SCHOOL_FEED_ROLES
    }
    catalogue_links = [
        (academy, _feed_links(request, "training:ical_catalogue", academy.code))
        for academy in sorted(academies.values(), key=lambda a: a.code)
    ]
    new_link = school_links = None
    if raw:
        new_link = _feed_links(request, "training:ical_personal", raw)
        school_links = [
            (school, _feed_links(request, "training:ical_school", raw, school.uai))
            for school in sorted(schools.values(), key=lambda s: s.name)
        ]
    context = {
        "title": _("Mon agenda"),
        "token": token,
        "new_link": new_link,
        "school_links": school_links,
        "has_school_feed": bool(schools),
        "catalogue_links": catalogue_links,
    }
    response = render(request, "training/agenda.html", context)
    # The page may carry the secret link: no browser or proxy cache keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def rotate_link(request):
    had_link = CalendarToken.objects.filter(user=request.user).active().exists()
    _token, raw = services.rotate_calendar_token(user=request.user)
    if had_link:
        messages.success(
            request,
            _(
                "Nouveau lien créé : l'ancien ne fonctionne plus. Copiez le nouveau maintenant "
                "et remplacez l'ancien dans vos applications : il ne sera plus affiché."
            ),
        )
    else:
        messages.success(request, _("Lien créé. Copiez-le maintenant : il ne sera plus affiché."))
    return _page(request, raw)


@login_required
@require_POST
def revoke_link(request):
    if services.revoke_calendar_token(user=request.user):
        messages.success(
            request,
            _("Lien désactivé : les agendas abonnés ne recevront plus vos séances."),
        )
    else:
        messages.info(request, _("Vous n'aviez pas de lien actif."))
    return redirect("training:agenda")
