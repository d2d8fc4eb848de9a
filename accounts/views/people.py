"""The managers' accounts page: the people of their académie, who still has to activate
his account (activation e-mails sent in bulk, on purpose), who is locked out (unlock),
who left (deactivate, reactivate); and the sign-in log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms.signins import ActivationForm, UnlockForm
from accounts.permissions import managed_people, may_manage_accounts
from accounts.services import activation, signins
from training import services as training_services
from training.errors import TrainingError

PAGE = 100


def _people_or_404(request):
    if not may_manage_accounts(request.user):
        raise Http404
    return managed_people(request.user)


@login_required
def people(request):
    """``?q=`` searches names, usernames and e-mails; ``?etat=activation|inactifs``."""
    people = (
        _people_or_404(request)
        .select_related("staff__school")
        .order_by("last_name", "first_name", "pk")
    )
    q = request.GET.get("q", "").strip()
    if q:
        people = people.filter(
            Q(last_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(username__icontains=q)
            | Q(email__icontains=q)
        )
    state = request.GET.get("etat", "")
    if state == "activation":
        people = activation.needs_activation(people)
    elif state == "inactifs":
        people = people.filter(is_active=False)
    page = Paginator(people, PAGE).get_page(request.GET.get("page"))
    locked = signins.locked_usernames([p.username for p in page])
    rows = [(p, locked.get(p.username.lower())) for p in page]
    return render(
        request,
        "accounts/people.html",
        {
            "title": _("Comptes des personnels"),
            "page": page,
            "rows": rows,
            "q": q,
            "state": state,
            "to_activate": activation.needs_activation(_people_or_404(request)).count(),
            "batch": activation.BATCH,
        },
    )


@login_required
@require_POST
def send_activation(request):
    people = activation.needs_activation(_people_or_404(request))
    form = ActivationForm(request.POST, queryset=people)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("Choisissez les personnes.")]:
            messages.error(request, error)
        return redirect("accounts:people")
    users = form.cleaned_data["users"]
    if len(users) > activation.BATCH:
        messages.error(request, _("Au plus %(n)d e-mails à la fois.") % {"n": activation.BATCH})
        return redirect("accounts:people")
    sent = activation.send_activation(users=users)
    messages.success(request, _("%(n)d e-mail(s) d'activation envoyé(s).") % {"n": sent})
    return redirect("accounts:people")


@login_required
@require_POST
def set_active(request, pk: int, active: bool):
    person = get_object_or_404(_people_or_404(request), pk=pk)
    try:
        if active:
            training_services.reactivate_person(actor=request.user, person=person)
            messages.success(request, _("Le compte de %(name)s est réactivé.") % {"name": person})
        else:
            training_services.deactivate_person(actor=request.user, person=person)
            messages.success(
                request,
                _("Le compte de %(name)s est désactivé : son historique est conservé.")
                % {"name": person},
            )
    except TrainingError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:people")


@login_required
@require_POST
def unlock(request):
    form = UnlockForm(request.POST)
    if form.is_valid():
        username = form.cleaned_data["username"]
        person = _people_or_404(request).filter(username__iexact=username).first()
        if person is None:
            raise Http404
        signins.unlock(actor=request.user, username=person.username, request=request)
        messages.success(request, _("Le compte %(u)s est déverrouillé.") % {"u": person.username})
    return redirect("accounts:people")


@login_required
def sign_in_log(request):
    """Successful and failed sign-ins of the académie's people (who, when, from where,
    which way in), newest first."""
    people = _people_or_404(request)
    events = signins.events_of(Q(user__in=people)).order_by("-at", "-pk")
    username = request.GET.get("identifiant", "").strip()
    if username:
        events = events.filter(username=signins.normalise(username))
    page = Paginator(events, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/sign_in_log.html",
        {"title": _("Journal des connexions"), "page": page, "username": username},
    )
