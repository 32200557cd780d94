from django.core.management.base import BaseCommand

from claims.api.lean import store_missing_list_items


class Command(BaseCommand):
    help = (
        "Speichert API-Listeneintrag und API-Detail aller Faktenchecks, die keine aktuellen haben "
        "(nach einem Update, das sie einführt, nach Massenimporten oder einer neuen SITE_URL)."
    )

    def handle(self, *args, **options):
        count = store_missing_list_items()
        self.stdout.write(f"API-Listeneinträge und -Details für {count} Faktenchecks gespeichert.")
