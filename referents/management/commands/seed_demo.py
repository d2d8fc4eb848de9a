"""``manage.py seed_demo``: the demo académie (Versailles) with its schools, staff,
heads, référents, an auditor, a manager and a national account.

It lives in ``referents`` because it seeds both apps (``referents`` may import
``training``, not the reverse). Idempotent: a second run changes nothing.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from referents.demo import book_referents, seed_referent_activity, seed_referents
from training.demo import seed_catalogue, seed_directory
from training.reference import load_reference_data


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
        parser.add_argument("--quiet", action="store_true", help="ne pas afficher les comptes")

    def handle(self, *args, schools, staff, scale, quiet, **options):
        n_schools, n_staff = round(schools * scale), round(staff * scale)
        if n_schools < 7:
            raise CommandError("Il faut au moins 7 établissements (un de chaque type).")
        if n_staff < n_schools:
            raise CommandError("Il faut au moins autant de personnels que d'établissements.")
        started = time.monotonic()
        with transaction.atomic():
            load_reference_data()
            demo = seed_directory(n_schools=n_schools, n_staff=n_staff)
            seed_referents(demo)
            sessions = seed_catalogue(demo)
            seed_referent_activity(demo)
            book_referents(sessions[2])
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Académie de démonstration {demo.academy.name} : {n_schools} établissements, "
                f"{n_staff} personnels ({elapsed:.1f} s)."
            )
        )
        if quiet:
            return
        password = settings.DUNE_DEMO_PASSWORD
        self.stdout.write(f"\nComptes de démonstration (mot de passe : {password})")
        for username, description in demo.accounts:
            self.stdout.write(f"  {username:<14} {description}")
