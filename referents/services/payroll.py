"""The payroll export: confirmed instalments of an académie, marked exported once."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from referents.errors import ReferentError
from referents.models import (
    AllowanceInstalment,
    PayrollExport,
)
from training.permissions import can_manage_academy


def pending_payroll(academy):
    """Confirmed (*service fait*), not yet exported instalments of the académie."""
    return (
        AllowanceInstalment.objects.filter(
            appointment__school__academy=academy,
            service_done_at__isnull=False,
            exported_at__isnull=True,
        )
        .select_related("appointment__staff__user", "appointment__school")
        .order_by("appointment__school__uai", "month", "pk")
    )


@transaction.atomic
def export_payroll(*, user, academy) -> PayrollExport:
    """Confirmed, not yet exported instalments of the académie, marked exported in one
    ``PayrollExport`` (the file is built from it, and can be built again). Refused when
    there is nothing to export."""
    if not can_manage_academy(user, academy):
        raise ReferentError(_("Seul le rectorat de l'académie exporte la paie."), status=403)
    ids = list(
        pending_payroll(academy).select_for_update(of=("self",)).values_list("pk", flat=True)
    )
    if not ids:
        raise ReferentError(
            _("Aucune mensualité à exporter : le service fait n'a été attesté pour aucune."),
            status=409,
        )
    export = PayrollExport.objects.create(academy=academy, created_by=user)
    AllowanceInstalment.objects.filter(pk__in=ids, exported_at__isnull=True).update(
        exported_at=export.created_at, export=export
    )
    return export
