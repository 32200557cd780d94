import pytest

from sources.models import Source
from tests import factories

pytestmark = pytest.mark.django_db

ADD = "/admin/sources/source/add/"


def test_adding_a_text_that_is_already_archived_names_the_archived_article(client, editor):
    archived = factories.SourceFactory()
    client.force_login(editor)
    response = client.post(ADD, {"title": "Noch einmal", "body": archived.body, "language": "de"})
    assert response.status_code == 200
    assert f"Dieser Text ist bereits archiviert: „{archived.title}“." in response.content.decode()
    assert Source.objects.count() == 1


def test_adding_a_new_text_by_hand_archives_it(client, editor):
    client.force_login(editor)
    response = client.post(ADD, {"title": "Von Hand", "body": "Ein Artikel, der nur auf Papier vorliegt. " * 10, "language": "de"})
    assert response.status_code == 302
    assert Source.objects.get().title == "Von Hand"


def test_adding_an_article_at_an_archived_url_names_the_archived_article(client, editor):
    archived = factories.SourceFactory(url="https://zeitung.example/politik/artikel.html")
    client.force_login(editor)
    response = client.post(ADD, {"title": "Gleiche Adresse", "body": "Ein anderer Text. " * 20, "language": "de", "url": archived.url})
    assert response.status_code == 200
    assert f"Unter dieser URL ist bereits ein Artikel archiviert: „{archived.title}“." in response.content.decode()
    assert Source.objects.count() == 1


def test_a_publication_date_in_the_first_century_is_refused(client, editor):
    client.force_login(editor)
    response = client.post(
        ADD,
        {"title": "Alt", "body": "Ein Artikel. " * 30, "language": "de", "published_at_0": "01.01.0001", "published_at_1": "00:00:00"},
    )
    assert response.status_code == 200
    assert "Das Datum 01.01.0001 ist kein mögliches Erscheinungsdatum." in response.content.decode()
    assert client.get("/admin/sources/source/").status_code == 200
