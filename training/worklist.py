"""What waits for a person, for the home page: each role's work, counted, with the page
where it is done. ``training`` counts its own; ``referents`` adds its providers from its
``ready()`` (``register``), since ``training`` never imports it.

A provider is a function ``(user, codes) -> list[Task]`` (``codes``: the person's role
codes); tasks with a count of zero are not shown. Each label is written
``ngettext("…", "…", n := count) % {"n": n}`` so that gettext extracts both forms.
Each provider costs one or two aggregate queries, only for the roles it concerns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from training import permissions
from training.models import (
    Anomaly,
    Attendance,
    Enrolment,
    ExportJob,
    ImportRun,
    Modality,
    RoleMembership,
    SchoolPlan,
    SchoolYear,
    Session,
    Slot,
)
from training.roles import REFERENT, TEACHER, roles_of, staff_of

Role = RoleMembership.Role
RECTORATE = {Role.AUDITOR, Role.MANAGER, Role.NATIONAL}
SOON = dt.timedelta(days=14)


@dataclass(frozen=True)
class Task:
    label: str
    count: int
    url: str


Provider = Callable[[object, set], list[Task]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def tasks_for(user) -> list[Task]:
    codes = {role.code for role in roles_of(user)}
    if not codes:
        return []
    return [task for provider in PROVIDERS for task in provider(user, codes) if task.count]


@register
def teacher_tasks(user, codes) -> list[Task]:
    staff = staff_of(user) if TEACHER in codes else None
    if staff is None:
        return []
    now = timezone.now()
    booked = Enrolment.objects.filter(staff=staff, state=Enrolment.State.BOOKED).values("session")
    scheduled = Slot.objects.filter(session__in=booked).exclude(status=Slot.Status.CANCELLED)
    soon = (
        scheduled.filter(start__gte=now, start__lt=now + SOON)
        .exclude(modality=Modality.SELF_PACED)
        .values("session")
        .distinct()
        .count()
    )
    to_declare = (
        scheduled.filter(modality=Modality.SELF_PACED, start__lte=now, end__gte=now)
        .exclude(attendances__staff=staff)
        .count()
    )
    return [
        Task(
            ngettext(
                "%(n)s session commence dans les deux semaines",
                "%(n)s sessions commencent dans les deux semaines",
                n := soon,
            )
            % {"n": n},
            n,
            reverse("training:my_training"),
        ),
        Task(
            ngettext(
                "%(n)s travail en ligne à déclarer",
                "%(n)s travaux en ligne à déclarer",
                n := to_declare,
            )
            % {"n": n},
            n,
            reverse("training:my_record"),
        ),
    ]


@register
def trainer_tasks(user, codes) -> list[Task]:
    if not codes & {Role.TRAINER, REFERENT}:
        return []
    sessions = Session.objects.filter(trainers=user).exclude(status=Session.Status.CANCELLED)
    sheets = (
        Slot.objects.filter(session__in=sessions, start__lt=timezone.now())
        .exclude(status=Slot.Status.CANCELLED)
        .exclude(modality=Modality.SELF_PACED)
        .filter(attendances__isnull=True)
        .count()
    )
    to_review = Attendance.objects.filter(
        slot__session__in=sessions, status=Attendance.Status.DECLARED
    ).count()
    url = reverse("training:my_sessions")
    return [
        Task(
            ngettext(
                "%(n)s feuille d'émargement à remplir",
                "%(n)s feuilles d'émargement à remplir",
                n := sheets,
            )
            % {"n": n},
            n,
            url,
        ),
        Task(
            ngettext(
                "%(n)s travail en ligne déclaré à examiner",
                "%(n)s travaux en ligne déclarés à examiner",
                n := to_review,
            )
            % {"n": n},
            n,
            url,
        ),
    ]


@register
def head_tasks(user, codes) -> list[Task]:
    tasks = []
    queue = reverse("training:approval_queue")
    if Role.HEAD in codes:
        tasks.append(
            Task(
                ngettext(
                    "%(n)s demande d'inscription à décider",
                    "%(n)s demandes d'inscription à décider",
                    n := permissions.approval_queue(user).count(),
                )
                % {"n": n},
                n,
                queue,
            )
        )
        plans = SchoolPlan.objects.filter(
            school_id__in=permissions.headed_school_ids(user), status=SchoolPlan.Status.SUBMITTED
        ).count()
        tasks.append(
            Task(
                ngettext(
                    "%(n)s plan de formation à approuver",
                    "%(n)s plans de formation à approuver",
                    n := plans,
                )
                % {"n": n},
                n,
                reverse("training:school_plans"),
            )
        )
    if codes & {Role.MANAGER, Role.NATIONAL}:
        tasks.append(
            Task(
                ngettext(
                    "%(n)s inscription à confirmer par le rectorat",
                    "%(n)s inscriptions à confirmer par le rectorat",
                    n := permissions.confirmation_queue(user).count(),
                )
                % {"n": n},
                n,
                queue,
            )
        )
    return tasks


@register
def referent_plan_tasks(user, codes) -> list[Task]:
    """The référent prepares his school's plan: none yet this year, or a draft."""
    if REFERENT not in codes:
        return []
    schools = permissions.drafting_school_ids(user)
    plans = SchoolPlan.objects.filter(school_id__in=schools)
    year = SchoolYear.objects.current()
    if year is None:
        return []
    started = set(plans.filter(school_year=year).values_list("school_id", flat=True))
    drafts = plans.filter(school_year=year, status=SchoolPlan.Status.DRAFT).count()
    return [
        Task(
            ngettext(
                "%(n)s plan de formation à préparer",
                "%(n)s plans de formation à préparer",
                n := len(set(schools) - started) + drafts,
            )
            % {"n": n},
            n,
            reverse("training:school_plans"),
        )
    ]


@register
def rectorate_tasks(user, codes) -> list[Task]:
    if not codes & RECTORATE:
        return []
    academies = permissions.visible_academies(user) if Role.NATIONAL not in codes else None
    anomalies = Anomaly.objects.open()
    imports = ImportRun.objects.filter(
        status__in=[
            ImportRun.Status.PENDING,
            ImportRun.Status.CHECKING,
            ImportRun.Status.CHECKED,
            ImportRun.Status.CONFIRMED,
            ImportRun.Status.APPLYING,
        ]
    )
    if academies is not None:
        anomalies = anomalies.filter(academy__in=academies)
        imports = imports.filter(academy__in=academies)
    exports = ExportJob.objects.filter(
        author=user, status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING]
    )
    return [
        Task(
            ngettext(
                "%(n)s anomalie ouverte dans les registres",
                "%(n)s anomalies ouvertes dans les registres",
                n := anomalies.count(),
            )
            % {"n": n},
            n,
            reverse("training:anomaly_list"),
        ),
        Task(
            ngettext("%(n)s import en cours", "%(n)s imports en cours", n := imports.count())
            % {"n": n},
            n,
            reverse("training:import_list"),
        ),
        Task(
            ngettext("%(n)s export en cours", "%(n)s exports en cours", n := exports.count())
            % {"n": n},
            n,
            reverse("training:audit_home"),
        ),
    ]
