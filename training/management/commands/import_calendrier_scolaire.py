"""``manage.py import_calendrier_scolaire FICHIER``: the ministry's school calendar
(open-data CSV, as downloaded) into the holidays and zones of its school years
(``training/imports/calendar.py``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from training.imports import FileRefused
from training.imports.calendar import import_school_calendar


class Command(BaseCommand):
    help = (
        "Importe le calendrier scolaire publié par le ministère (fichier "
        "fr-en-calendrier-scolaire de data.education.gouv.fr, CSV « ; »)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="le fichier CSV téléchargé")
        parser.add_argument(
            "--annee",
            action="append",
            default=[],
            help="année scolaire à créer si Dune ne la connaît pas (ex. 2027-2028 ; répétable)",
        )

    def handle(self, *args, file, annee, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            result = import_school_calendar(path.read_bytes(), years=annee)
        except FileRefused as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(self.style.SUCCESS(result.summary()))
