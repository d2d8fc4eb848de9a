from training.imports.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe un export de GAIA : --kind gaia_formations, gaia_trainers (intervenants) "
        "ou gaia_trainees (stagiaires) ; --user un gestionnaire de l'académie."
    )
    kinds = ("gaia_formations", "gaia_trainers", "gaia_trainees")
