"""``manage.py seed_demo``: the demo académie (Versailles) with its schools, staff,
heads, référents, an auditor, a manager and a national account.

It lives in ``referents`` because it seeds both apps (``referents`` may import
``training``, not the reverse). Idempotent: a second run changes nothing.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from referents.demo import (
    HISTORY_YEAR,
    book_referents,
    seed_referent_activity,
    seed_referents,
)
from training.demo.activity import seed_activity
from training.demo.catalogue import seed_catalogue
from training.demo.directory import seed_directory
from training.demo.national import NATIONAL_SCHOOLS, NATIONAL_STAFF, seed_national
from training.demo.volume import seed_hours
from training.imports.calendar import SHIPPED, import_school_calendar
from training.models import Academy, SchoolYear
from training.reference import ensure_school_year, load_reference_data
from training.services.closing import close_year_nationally


class Command(BaseCommand):
    help = "Crée l'académie de démonstration (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=40, help="nombre d'établissements (40)")
        parser.add_argument("--staff", type=int, default=400, help="nombre de personnels (400)")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiplie les deux nombres (50 : 2 000 établissements, 20 000 personnels)",
        )
        parser.add_argument(
            "--national",
            action="store_true",
            help=(
                "les 30 académies : 870 000 personnels et 60 000 établissements répartis selon "
                "leur taille (multipliés par --scale ; --schools et --staff ignorés)"
            ),
        )
        parser.add_argument(
            "--hours-per-staff",
            type=int,
            default=0,
            help=(
                "séances suivies par personne en 2010-2011, avec inscriptions, émargements "
                "et registre des heures (0 : aucune, la démonstration habituelle)"
            ),
        )
        parser.add_argument("--quiet", action="store_true", help="ne pas afficher les comptes")

    def handle(self, *args, schools, staff, scale, quiet, national, hours_per_staff, **options):
        if national:
            schools, staff = NATIONAL_SCHOOLS, NATIONAL_STAFF
        n_schools, n_staff = round(schools * scale), round(staff * scale)
        if hours_per_staff < 0:
            raise CommandError("--hours-per-staff : un nombre positif ou nul.")
        if n_schools < 7:
            raise CommandError("Il faut au moins 7 établissements (un de chaque type).")
        if n_staff < n_schools:
            raise CommandError("Il faut au moins autant de personnels que d'établissements.")
        started = time.monotonic()
        with transaction.atomic():
            load_reference_data()
            # The current year, with the ministry's calendar when the repository ships it.
            ensure_school_year(timezone.localdate())
            import_school_calendar(SHIPPED.read_bytes())
            if national:
                # Versailles first: the demo's named accounts, catalogue and référents.
                demo, *_others = seed_national(n_staff=n_staff, n_schools=n_schools)
            else:
                demo = seed_directory(n_schools=n_schools, n_staff=n_staff)
            seed_referents(demo)
            sessions = seed_catalogue(demo)
            seed_referent_activity(demo)
            book_referents(sessions[2])
            seed_activity(demo)
            # 2010-2011 is history: closed for every académie, its ledgers frozen.
            national_user = get_user_model().objects.get(username="national")
            close_year_nationally(
                user=national_user,
                school_year=SchoolYear.objects.get(name=HISTORY_YEAR),
                confirm=True,
                refresh=False,
            )
        where = "30 académies" if national else f"Académie de démonstration {demo.academy.name}"
        self.stdout.write(
            self.style.SUCCESS(
                f"{where} : {n_schools} établissements, {n_staff} personnels "
                f"({time.monotonic() - started:.1f} s)."
            )
        )
        if hours_per_staff:
            # One transaction per académie (seed_hours): millions of rows at national scale.
            started, entries = time.monotonic(), 0
            academies = Academy.objects.filter(schools__isnull=False).distinct().order_by("code")
            for academy in academies if national else [demo.academy]:
                entries += seed_hours(academy=academy, per_staff=hours_per_staff)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Registre des heures : {entries} lignes ajoutées "
                    f"({time.monotonic() - started:.1f} s)."
                )
            )
        if quiet:
            return
        password = settings.DUNE_DEMO_PASSWORD
        self.stdout.write(f"\nComptes de démonstration (mot de passe : {password})")
        for username, description in demo.accounts:
            self.stdout.write(f"  {username:<14} {description}")
