from django.core.management.base import BaseCommand

from claims.seeding import load_seeds


class Command(BaseCommand):
    help = "Lädt die Seed-Artikel und Seed-Faktenchecks (idempotent)."

    def handle(self, *args, **options):
        load_seeds(log=self.stdout.write)
