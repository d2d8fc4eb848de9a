"""Référents pour les usages pédagogiques numériques: one module per subdomain
(``appointments``, ``allowances``, ``missions``), all importable from here as Django
expects of an app's models."""

from referents.models.allowances import (
    AllowanceInstalment,
    AllowanceInstalmentQuerySet,
    AllowanceScheme,
    Envelope,
    ExportedInstalmentError,
    PayrollExport,
)
from referents.models.appointments import Appointment, AppointmentQuerySet, SchoolMission
from referents.models.missions import MissionLog

__all__ = [
    "AllowanceInstalment",
    "AllowanceInstalmentQuerySet",
    "AllowanceScheme",
    "Appointment",
    "AppointmentQuerySet",
    "Envelope",
    "ExportedInstalmentError",
    "MissionLog",
    "PayrollExport",
    "SchoolMission",
]
