from datetime import datetime

import pytest
from django.utils import timezone

from tests.factories import AppearanceFactory, SourceFactory

pytestmark = pytest.mark.django_db


def published(text):
    return text.split("Veröffentlicht</dt><dd>", 1)[1].split("</dd>", 1)[0]


def test_an_article_without_a_time_shows_its_date_alone(client):
    dated = SourceFactory(published_at=timezone.make_aware(datetime(2025, 9, 4)))
    timed = SourceFactory(published_at=timezone.make_aware(datetime(2026, 1, 8, 16, 14)))
    for source in (dated, timed):
        AppearanceFactory(source=source)  # a source page is public once a published claim quotes it
    assert ">4. September 2025</time>" in published(client.get(dated.get_absolute_url()).content.decode())
    assert ">8. Januar 2026, 16:14</time>" in published(client.get(timed.get_absolute_url()).content.decode())


def test_the_admin_links_to_the_public_page_only_of_articles_a_public_claim_quotes(client, editor):
    unused = SourceFactory(title="Noch nicht verwendet")
    quoted = AppearanceFactory().source
    client.force_login(editor)
    assert "Auf der Website anzeigen" not in client.get(f"/admin/sources/source/{unused.pk}/change/").content.decode()
    html = client.get(f"/admin/sources/source/{quoted.pk}/change/").content.decode()
    assert "Auf der Website anzeigen" in html
    assert client.get(quoted.get_absolute_url()).status_code == 200
