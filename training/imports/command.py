"""What the three ``import_*`` management commands share: read the file, plan, print
the report in French, write when asked."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from training.imports import FileRefused, runner
from training.models import Academy


class ImportCommand(BaseCommand):
    kinds: tuple[str, ...] = ()

    def add_arguments(self, parser):
        parser.add_argument("file", help="le fichier à importer")
        parser.add_argument("--academy", required=True, help="code de l'académie, par ex. 25")
        parser.add_argument(
            "--dry-run", action="store_true", help="vérifier seulement, ne rien écrire"
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="écrire les lignes valides même si d'autres sont refusées",
        )
        parser.add_argument(
            "--user",
            help="compte au nom duquel écrire (un gestionnaire de l'académie ; requis pour GAIA)",
        )
        if len(self.kinds) > 1:
            parser.add_argument("--kind", choices=self.kinds, required=True)
        if "staff" in self.kinds:
            parser.add_argument(
                "--complete",
                action="store_true",
                help="le fichier liste tous les personnels : les absents sont désactivés",
            )

    def handle(self, *args, **options):
        kind = options.get("kind") or self.kinds[0]
        try:
            academy = Academy.objects.get(code=options["academy"])
        except Academy.DoesNotExist:
            raise CommandError(f"Académie inconnue : {options['academy']}") from None
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"Compte inconnu : {options['user']}") from None
            if not runner.can_import(user, academy, kind):
                raise CommandError(f"{user} ne peut pas importer ce fichier pour {academy.name}.")
        elif kind in runner.GAIA_KINDS:
            raise CommandError("Indiquez --user : un gestionnaire de l'académie.")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Fichier illisible : {exc}") from None
        try:
            plan, written = runner.run_file(
                kind=kind,
                academy=academy,
                user=user,
                data=data,
                dry_run=options["dry_run"],
                force=options["yes"],
                complete=options.get("complete", False),
            )
        except FileRefused as exc:
            raise CommandError(f"Fichier refusé, rien n'a été importé : {exc.message}") from None
        out = self.stdout
        verb = "créées" if written else "à créer"
        out.write(f"{path.name} — {academy.name}")
        out.write(f"Lignes lues : {plan.lines}")
        out.write(f"Lignes {verb} : {plan.created}")
        out.write(f"Lignes {'mises à jour' if written else 'à mettre à jour'} : {plan.updated}")
        out.write(f"Lignes inchangées : {plan.unchanged}")
        out.write(f"Lignes refusées : {plan.refused_count}")
        if options.get("complete"):
            verb = "désactivés" if written else "à désactiver"
            out.write(f"Personnels absents du fichier, {verb} : {plan.deactivated}")
        for refusal in plan.sorted_refusals():
            out.write(f"  ligne {refusal['line']} : {refusal['reason']}")
        if written:
            out.write(self.style.SUCCESS("Import écrit."))
        elif options["dry_run"]:
            out.write("Vérification seulement (--dry-run) : rien n'a été écrit.")
        elif plan.refused:
            raise CommandError(
                "Des lignes sont refusées : rien n'a été écrit. Corrigez le fichier, ou "
                "relancez avec --yes pour importer les lignes valides."
            )
        else:
            out.write("Rien à écrire.")
