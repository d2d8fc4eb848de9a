from django.core.management.base import BaseCommand

from training.reference import load_reference_data


class Command(BaseCommand):
    help = "Charge les données de référence (académies, année 2010-2011, C2i2e, plan national)."

    def handle(self, *args, **options):
        load_reference_data()
        self.stdout.write(self.style.SUCCESS("Données de référence chargées."))
