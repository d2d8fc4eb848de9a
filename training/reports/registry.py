"""The reports' registry: each report's key, title, builder, column headers, chunks and
chart, in the order the dashboards list them. Other apps add theirs through
``register_report`` from their ``ready()`` (``referents.reports.coverage``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd
from django.utils.translation import gettext_lazy

from training.reports.base import ReportFilters

Builder = Callable[[object, ReportFilters], pd.DataFrame]


@dataclass
class ReportSpec:
    key: str
    title: object  # a lazy translation
    builder: Builder
    labels: dict[str, object] = field(default_factory=dict)
    # For large reports: chunks of rows, and a cheap count of them.
    chunks: Callable[..., Iterator[pd.DataFrame]] | None = None
    count: Callable[[object, ReportFilters], int] | None = None
    # For the dashboards: the column naming the bars and the one measuring them.
    chart: tuple[str, str] | None = None
    # Columns of codes for the program's use (``in_person``, ``numerique``): in the frame,
    # never on a page or in a file a person opens.
    internal: tuple[str, ...] = ()

    def shown(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.drop(columns=[c for c in self.internal if c in frame.columns])

    def iter_frames(self, user, filters: ReportFilters, chunk_size: int = 5000):
        if self.chunks is not None:
            yield from map(self.shown, self.chunks(user, filters, chunk_size=chunk_size))
        else:
            yield self.shown(self.builder(user, filters))

    def header(self, columns) -> list[str]:
        return [str(self.labels.get(c, c)) for c in columns]


REGISTRY: dict[str, ReportSpec] = {}


def register_report(key: str, title, builder: Builder, **options) -> ReportSpec:
    """Add a report (other apps add theirs from their ``ready()``)."""
    spec = ReportSpec(key=key, title=title, builder=builder, **options)
    REGISTRY[key] = spec
    return spec


L = gettext_lazy


LABELS = {
    "academy": L("Académie"),
    "district": L("Bassin ou circonscription"),
    "uai": L("UAI"),
    "school": L("Établissement"),
    "kind": L("Type"),
    "degree": L("Degré"),
    "staff": L("Personnels"),
    "schools": L("Établissements"),
    "minutes": L("Minutes"),
    "hours": L("Heures"),
    "hours_per_staff": L("Heures par personne"),
    "code": L("Code"),
    "priority": L("Priorité"),
    "modality": L("Modalité"),
    "people": L("Personnes formées"),
    "with_target": L("Avec objectif"),
    "reached": L("Objectif atteint"),
    "behind": L("En retard"),
    "rate": L("Taux d'atteinte (%)"),
    "staff_id": L("Identifiant agent"),
    "last_name": L("Nom"),
    "first_name": L("Prénom"),
    "target_hours": L("Objectif (h)"),
    "missing_hours": L("Manque (h)"),
    "competence": L("Compétence"),
    "items": L("Items"),
    "required": L("Items requis"),
    "validated": L("Items validés"),
    "people_started": L("Personnes avec un item validé"),
    "people_ok": L("Personnes au minimum requis"),
    "validated_items": L("Nombre d'items validés"),
    "eligible": L("Dont éligibles à la certification"),
}
