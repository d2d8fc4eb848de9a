from training.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Importe un fichier CSV d'établissements (--dry-run pour vérifier seulement)."
    kinds = ("schools",)
