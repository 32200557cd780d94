from django.core.management.base import BaseCommand

from claims.related import refresh_all


class Command(BaseCommand):
    help = "Speichert die ähnlichen Faktenchecks aller veröffentlichten Faktenchecks neu (nach Import oder Update)."

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="nur Faktenchecks ohne gespeicherte Liste")

    def handle(self, *args, **options):
        count = refresh_all(missing_only=options["missing"], log=self.stdout.write)
        self.stdout.write(f"Ähnliche Faktenchecks für {count} Faktenchecks gespeichert.")
