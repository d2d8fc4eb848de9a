"""The référents' share of the home page's work list (``training.worklist``): *service
fait* to attest, instalments to send to payroll, missions to log."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from referents.models import AllowanceInstalment, MissionLog
from referents.permissions import headed_schools, visible_appointments
from training.models import RoleMembership
from training.roles import REFERENT, staff_of
from training.worklist import Task, register

Role = RoleMembership.Role
QUIET_DAYS = 30


def referent_tasks(user, codes) -> list[Task]:
    tasks = []
    this_month = timezone.localdate().replace(day=1)
    if Role.HEAD in codes:
        awaiting = AllowanceInstalment.objects.filter(
            appointment__school__in=headed_schools(user),
            month__lte=this_month,
            service_done_at__isnull=True,
            exported_at__isnull=True,
        ).count()
        tasks.append(
            Task(
                ngettext(
                    "%(n)s mensualité de référent attend votre service fait",
                    "%(n)s mensualités de référent attendent votre service fait",
                    n := awaiting,
                )
                % {"n": n},
                n,
                reverse("referents:school"),
            )
        )
    if codes & {Role.AUDITOR, Role.MANAGER, Role.NATIONAL}:
        # Months gone by whose instalment no head has attested yet, in the académie.
        late = AllowanceInstalment.objects.filter(
            appointment__in=visible_appointments(user),
            month__lt=this_month,
            service_done_at__isnull=True,
            exported_at__isnull=True,
        ).count()
        tasks.append(
            Task(
                ngettext(
                    "%(n)s mensualité d'un mois passé attend le service fait",
                    "%(n)s mensualités de mois passés attendent le service fait",
                    n := late,
                )
                % {"n": n},
                n,
                reverse("referents:summary"),
            )
        )
    if codes & {Role.MANAGER, Role.NATIONAL}:
        to_pay = AllowanceInstalment.objects.filter(
            appointment__in=visible_appointments(user),
            service_done_at__isnull=False,
            exported_at__isnull=True,
        ).count()
        tasks.append(
            Task(
                ngettext(
                    "%(n)s mensualité attestée à exporter en paie",
                    "%(n)s mensualités attestées à exporter en paie",
                    n := to_pay,
                )
                % {"n": n},
                n,
                reverse("referents:payroll"),
            )
        )
    if REFERENT in codes:
        staff = staff_of(user)
        since = timezone.localdate() - dt.timedelta(days=QUIET_DAYS)
        if (
            staff is not None
            and not MissionLog.objects.filter(appointment__staff=staff, date__gte=since).exists()
        ):
            tasks.append(
                Task(
                    ngettext(
                        "Aucune mission notée depuis %(n)s jour",
                        "Aucune mission notée depuis %(n)s jours",
                        QUIET_DAYS,
                    )
                    % {"n": QUIET_DAYS},
                    1,
                    reverse("referents:dashboard"),
                )
            )
    return tasks


def register_tasks() -> None:
    register(referent_tasks)
