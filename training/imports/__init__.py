"""Imports from the rectorate's systems: schools and staff (CSV) and the training
system's exports (GAIA). One flow for all: read → plan (dry run) → confirm → apply.

``training.imports.runner`` holds the writes (an ``ImportRun`` row per file, the Celery
steps); ``reader`` the shared file reader; ``directory`` (schools, staff), ``gaia``
(formations, and the mapping of GAIA's files) and ``gaia_people`` (intervenants,
stagiaires) one importer per kind of file.
"""

from training.imports.base import Importer, LineRefused, Plan
from training.imports.directory import SchoolImporter, StaffImporter
from training.imports.gaia import FormationsImporter
from training.imports.gaia_people import TraineesImporter, TrainersImporter
from training.imports.reader import FileRefused

IMPORTERS: dict[str, type[Importer]] = {
    cls.kind: cls
    for cls in (
        SchoolImporter,
        StaffImporter,
        FormationsImporter,
        TrainersImporter,
        TraineesImporter,
    )
}

__all__ = [
    "IMPORTERS",
    "FileRefused",
    "FormationsImporter",
    "Importer",
    "LineRefused",
    "Plan",
    "SchoolImporter",
    "StaffImporter",
    "TraineesImporter",
    "TrainersImporter",
]
