from training.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Importe un fichier CSV de personnels (--dry-run pour vérifier seulement)."
    kinds = ("staff",)
