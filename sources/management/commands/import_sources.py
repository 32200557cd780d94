from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sources.ingest import IngestError, import_source
from sources.ingest.service import FILE_FORMATS
from sources.models import Outlet


class Command(BaseCommand):
    help = (
        "Importiert Artikel aus Dateien (.txt, .html), Verzeichnissen, Artikel-URLs oder RSS-/Atom-Feeds. "
        "Bereits archivierte Artikel werden nicht erneut gespeichert."
    )

    def add_arguments(self, parser):
        parser.add_argument("inputs", nargs="+", metavar="PFAD|URL", help="Dateien, Verzeichnisse oder http(s)-Adressen.")
        parser.add_argument("--outlet", help="Medium (Name oder Domain) für alle importierten Artikel, statt automatischer Erkennung.")

    def handle(self, *args, inputs, outlet=None, **options):
        chosen = self._outlet(outlet) if outlet else None
        items = self._expand(inputs)
        created = existing = 0
        failures = []
        progress = tqdm(items, unit="Quelle", file=self.stderr, disable=len(items) < 2 or options["verbosity"] == 0)
        for item in progress:
            progress.set_postfix_str(Path(item).name if not item.startswith(("http://", "https://")) else item[-40:], refresh=False)
            try:
                report = self._import(item, chosen)
            except IngestError as error:
                failures.append((item, " ".join(error.messages)))
                continue
            created += len(report.created)
            existing += len(report.existing)
            failures.extend((f"{item} – {failure.label}", failure.message) for failure in report.failures)
        for item, message in failures:
            self.stderr.write(f"{item}: {message}")
        self.stdout.write(f"{created} Artikel neu archiviert, {existing} bereits vorhanden, {len(failures)} Fehler.")
        if failures:
            raise CommandError(f"{len(failures)} Quelle(n) konnten nicht importiert werden.")

    def _outlet(self, name: str) -> Outlet:
        outlet = Outlet.objects.filter(name__iexact=name).first() or Outlet.objects.filter(domain__iexact=name).first()
        if outlet is None:
            raise CommandError(f"Kein Medium mit Name oder Domain „{name}“.")
        return outlet

    def _expand(self, inputs: list[str]) -> list[str]:
        items = []
        for value in inputs:
            path = Path(value)
            if value.startswith(("http://", "https://")) or not path.is_dir():
                items.append(value)
            else:
                items.extend(str(child) for child in sorted(path.iterdir()) if child.suffix.lower() in FILE_FORMATS)
        return items

    def _import(self, item: str, outlet: Outlet | None):
        if item.startswith(("http://", "https://")):
            return import_source(url=item, outlet=outlet)
        path = Path(item)
        if not path.is_file():
            raise IngestError(f"Datei nicht gefunden: {item}")
        limit = settings.SOURCE_FETCH_MAX_BYTES
        if path.stat().st_size > limit:
            raise IngestError(f"Die Datei ist zu groß (höchstens {round(limit / (1024 * 1024), 1)} MB).")
        return import_source(data=path.read_bytes(), filename=path.name, outlet=outlet)
