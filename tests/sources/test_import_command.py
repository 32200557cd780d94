from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sources.models import Source
from tests import factories

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "articles"


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_sources", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_directory_of_seed_files_is_imported_once_with_progress_bar():
    out, err, error = run(str(SEEDS))
    assert error is None
    assert "5 Artikel neu archiviert, 0 bereits vorhanden, 0 Fehler." in out
    assert "5/5" in err
    assert Source.objects.count() == 5
    out, _err, error = run(str(SEEDS))
    assert "0 Artikel neu archiviert, 5 bereits vorhanden, 0 Fehler." in out
    assert Source.objects.count() == 5


def test_bad_files_are_reported_and_the_good_ones_imported(tmp_path):
    (tmp_path / "leer.txt").write_bytes(b"")
    (tmp_path / "kaputt.html").write_bytes(b"<html><body><nav>Start</nav></body></html>")
    (tmp_path / "gross.txt").write_bytes(b"x" * (6 * 1024 * 1024))
    (tmp_path / "ignoriert.pdf").write_bytes(b"%PDF-1.7")
    good = SEEDS / "003_844079290e2bd696.txt"
    out, err, error = run(str(tmp_path), str(good), str(tmp_path / "fehlt.txt"))
    assert "1 Artikel neu archiviert, 0 bereits vorhanden, 4 Fehler." in out
    assert f"{tmp_path / 'leer.txt'}: Die Datei ist leer." in err
    assert "kaputt.html: Auf der Seite wurde kein Artikeltext gefunden" in err
    assert "gross.txt: Die Datei ist zu groß" in err
    assert "Datei nicht gefunden" in err
    assert "ignoriert.pdf" not in err
    assert str(error) == "4 Quelle(n) konnten nicht importiert werden."
    assert Source.objects.count() == 1


def test_urls_and_outlet_option(web, allow_private):
    outlet = factories.OutletFactory(name="Beispielzeitung", domain="zeitung.example")
    url = web.serve_fixture("/politik/merz.html", "article.html")
    out, _err, error = run(url, "--outlet", "zeitung.example")
    assert error is None
    assert Source.objects.get().outlet == outlet


def test_unknown_outlet_stops_before_importing():
    _out, _err, error = run(str(SEEDS), "--outlet", "Unbekanntes Blatt")
    assert "Kein Medium" in str(error)
    assert Source.objects.count() == 0
