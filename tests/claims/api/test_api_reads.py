import time
from urllib.parse import quote, urlencode

import pytest
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.models import Claim
from tests.factories import AppearanceFactory, ClaimantFactory, ClaimFactory, CorrectionFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

UNPUBLISHED = [
    pytest.param(ClaimStatus.DRAFT, -1, id="draft"),
    pytest.param(ClaimStatus.IN_REVIEW, -1, id="in-review"),
    pytest.param(ClaimStatus.WITHDRAWN, -1, id="withdrawn"),
    pytest.param(ClaimStatus.PUBLISHED, +2, id="scheduled"),
]


def unpublished(status, offset_days, **kwargs):
    return ClaimFactory(
        text="GEHEIM-ENTWURF-MARKER", status=status, published_at=timezone.now() + timezone.timedelta(days=offset_days), **kwargs
    )


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@pytest.mark.parametrize(("status", "offset_days"), UNPUBLISHED)
@pytest.mark.parametrize("caller", ["api", "partner_api", "staff_api"])
def test_unpublished_claims_never_appear_in_lists_or_export(request, caller, status, offset_days):
    client = request.getfixturevalue(caller)
    public = ClaimFactory()
    hidden = unpublished(status, offset_days)
    assert slugs(client.get("/api/v1/claims/")) == [public.slug]
    export = b"".join(client.get("/api/v1/claims/export/").streaming_content).decode()
    assert public.slug in export
    assert hidden.slug not in export and "GEHEIM-ENTWURF-MARKER" not in export


@pytest.mark.parametrize(("status", "offset_days"), UNPUBLISHED)
@pytest.mark.parametrize("caller", ["api", "partner_api"])
def test_unpublished_claim_detail_is_404_json_for_partners_and_anonymous(request, caller, status, offset_days):
    client = request.getfixturevalue(caller)
    hidden = unpublished(status, offset_days)
    for path in (f"/api/v1/claims/{hidden.slug}/", f"/api/v1/claims/{hidden.slug}/claimreview/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Nicht gefunden."}
        assert "GEHEIM" not in response.content.decode()


@pytest.mark.parametrize(("status", "offset_days"), UNPUBLISHED)
def test_staff_preview_unpublished_claim_detail(staff_api, status, offset_days):
    hidden = unpublished(status, offset_days)
    response = staff_api.get(f"/api/v1/claims/{hidden.slug}/")
    assert response.status_code == 200
    assert response.json()["status"] == status


def test_claim_detail_carries_appearances_conclusion_context_corrections_and_public_url(api, settings):
    appearance = AppearanceFactory(claim__context="Laut **Bundesnetzagentur** <script>alert(1)</script> waren es 31 Prozent.")
    claim = appearance.claim
    CorrectionFactory(claim=claim, note="Tippfehler korrigiert.")
    body = api.get(f"/api/v1/claims/{claim.slug}/").json()
    assert body["url"] == f"{settings.SITE_URL}/faktenchecks/{claim.slug}/"
    assert body["conclusion"] == claim.conclusion
    assert body["rating"]["slug"] == "falsch" and body["rating"]["scale"]
    assert "**Bundesnetzagentur**" in body["context"]
    assert "<strong>Bundesnetzagentur</strong>" in body["context_html"] and "<script" not in body["context_html"]
    [shown] = body["appearances"]
    assert shown["quote"] == "42 Prozent des Stroms im vergangenen Jahr aus Windkraft gewonnen worden"
    assert shown["source"]["slug"] == appearance.source.slug and shown["source"]["url"] == appearance.source.url
    assert shown["source"]["archive_url"] == f"{settings.SITE_URL}/quellen/{appearance.source.slug}/"
    assert [c["note"] for c in body["corrections"]] == ["Tippfehler korrigiert."]


def test_filters_rating_claimant_topic_language_and_full_text(api, other_rating):
    topic = TopicFactory(name="Energie")
    wind = ClaimFactory(text="Windkraft liefert die Hälfte des Stroms", language="de")
    wind.topics.add(topic)
    true_claim = ClaimFactory(text="Solarstrom ist billiger geworden", rating=other_rating, language="en")
    assert slugs(api.get("/api/v1/claims/", {"rating": "richtig"})) == [true_claim.slug]
    assert set(slugs(api.get("/api/v1/claims/", {"rating": ["richtig", "falsch"]}))) == {wind.slug, true_claim.slug}
    assert slugs(api.get("/api/v1/claims/", {"claimant": wind.claimant.slug})) == [wind.slug]
    assert slugs(api.get("/api/v1/claims/", {"topic": topic.slug})) == [wind.slug]
    assert slugs(api.get("/api/v1/claims/", {"language": "en"})) == [true_claim.slug]
    assert slugs(api.get("/api/v1/claims/", {"q": "Windkraft"})) == [wind.slug]
    # The last day a date accepts has no day after it; the filter still answers.
    assert set(slugs(api.get("/api/v1/claims/", {"date_to": "9999-12-31"}))) == {wind.slug, true_claim.slug}


def test_bad_filter_value_is_a_400_with_message(api):
    response = api.get("/api/v1/claims/", {"published_since": "gestern"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Ungültige Eingabe."
    assert "published_since" in response.json()["errors"]
    english = api.get("/api/v1/claims/", {"published_since": "gestern"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert english.json()["detail"] == "Invalid input."
    assert english.json()["errors"]["published_since"] == ["Enter a valid date/time."]


@pytest.mark.parametrize("value", ["\x00", "Wladimir\x00Putin", "   "])
def test_a_claimant_no_name_or_short_name_fits_is_a_400(api, value):
    response = api.get("/api/v1/claims/", {"claimant": value})
    assert response.status_code == 400
    assert "claimant" in response.json()["errors"]


def test_a_from_date_after_the_to_date_is_a_400(api):
    response = api.get("/api/v1/claims/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"] == ["Das Datum „von“ liegt nach dem Datum „bis“: bitte die Daten tauschen."]


def test_unknown_or_unpublished_claimant_and_topic_are_a_400_naming_the_field(api):
    draft = ClaimFactory(status=ClaimStatus.DRAFT, claimant=ClaimantFactory(name="Nur im Entwurf"))
    draft.topics.add(TopicFactory(name="Nur im Entwurf"))
    for name, slug in (
        ("claimant", "niemand"),
        ("claimant", draft.claimant.slug),
        ("topic", "nirgends"),
        ("topic", draft.topics.get().slug),
    ):
        response = api.get("/api/v1/claims/", {name: slug})
        assert response.status_code == 400, (name, slug)
        assert response.json()["detail"] == "Ungültige Eingabe."
        [message] = response.json()["errors"][name]
        assert f"„{slug}“" in message


def test_published_since_and_until(api):
    now = timezone.now()
    old = ClaimFactory(published_at=now - timezone.timedelta(days=10))
    new = ClaimFactory(published_at=now - timezone.timedelta(days=1))
    since = (now - timezone.timedelta(days=5)).isoformat()
    assert slugs(api.get("/api/v1/claims/", {"published_since": since})) == [new.slug]
    assert slugs(api.get("/api/v1/claims/", {"published_until": since})) == [old.slug]


def test_cursor_pages_are_stable_when_claims_are_added(api):
    now = timezone.now()
    claims = [ClaimFactory(published_at=now - timezone.timedelta(hours=hour)) for hour in range(1, 6)]
    first = api.get("/api/v1/claims/", {"page_size": 2}).json()
    assert [c["slug"] for c in first["results"]] == [claims[0].slug, claims[1].slug]
    assert "count" not in first and first["previous"] is None
    ClaimFactory(published_at=now - timezone.timedelta(minutes=1))  # a newer claim lands between two page loads
    second = api.get(first["next"]).json()
    assert [c["slug"] for c in second["results"]] == [claims[2].slug, claims[3].slug]
    third = api.get(second["next"]).json()
    assert [c["slug"] for c in third["results"]] == [claims[4].slug] and third["next"] is None


def test_equal_timestamps_are_paged_without_gaps_or_repeats(api):
    moment = timezone.now() - timezone.timedelta(hours=1)
    claims = {ClaimFactory(published_at=moment).slug for _ in range(5)}
    seen, url = [], "/api/v1/claims/?page_size=2"
    while url:
        page = api.get(url).json()
        seen += [c["slug"] for c in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(claims)


@pytest.mark.parametrize("ordering", ["", "updated_at", "-updated_at", "published_at"])
def test_equal_timestamps_are_paged_both_ways_without_gaps_or_repeats(api, ordering):
    moment = timezone.now() - timezone.timedelta(hours=1)
    claims = [ClaimFactory(published_at=moment) for _ in range(7)]
    Claim.objects.filter(pk__in=[claim.pk for claim in claims]).update(updated_at=moment)
    pages, url = [], f"/api/v1/claims/?page_size=2&ordering={ordering}"
    while url:
        page = api.get(url).json()
        pages.append([c["slug"] for c in page["results"]])
        url = page["next"]
    assert sorted(sum(pages, [])) == sorted(claim.slug for claim in claims)
    back = [pages[-1]]
    while page["previous"]:
        page = api.get(page["previous"]).json()
        back.append([c["slug"] for c in page["results"]])
    assert back == pages[::-1]


def walk(api, url) -> list[list[str]]:
    pages = []
    while url:
        page = api.get(url).json()
        pages.append([c["slug"] for c in page["results"]])
        url = page["next"]
    return pages


@pytest.mark.parametrize("ordering", ["", "updated_at", "-updated_at", "published_at"])
def test_unfiltered_pages_run_sql_compiled_once_and_equal_the_general_path(api, ordering):
    from claims.api.views import _compiled_page

    now = timezone.now()
    claims = [ClaimFactory(published_at=now - timezone.timedelta(minutes=number // 2)) for number in range(7)]
    Claim.objects.filter(pk__in=[claim.pk for claim in claims[:4]]).update(updated_at=now)
    _compiled_page.cache_clear()
    compiled = walk(api, f"/api/v1/claims/?page_size=2&ordering={ordering}")
    assert _compiled_page.cache_info().hits + _compiled_page.cache_info().misses == len(compiled)
    # A filter that narrows nothing takes the general path: the same pages.
    until = quote((now + timezone.timedelta(days=1)).isoformat())
    general = walk(api, f"/api/v1/claims/?page_size=2&ordering={ordering}&published_until={until}")
    assert _compiled_page.cache_info().hits + _compiled_page.cache_info().misses == len(compiled)
    assert compiled == general and len(compiled) == 4


def test_unfiltered_pages_build_no_queryset_unless_the_compiled_sql_cannot_serve_them(api, monkeypatch):
    import base64

    from claims.api.views import ClaimViewSet

    ClaimFactory.create_batch(3)
    built = []
    get_queryset = ClaimViewSet.get_queryset
    monkeypatch.setattr(ClaimViewSet, "get_queryset", lambda view: built.append(view.action) or get_queryset(view))
    first = api.get("/api/v1/claims/?page_size=2").json()
    second = api.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert built == []
    # A cursor from before positions named the id takes the general path, which builds it.
    old = base64.b64encode(urlencode({"p": "2099-01-01 00:00:00+00:00"}).encode()).decode()
    assert len(api.get("/api/v1/claims/", {"cursor": old}).json()["results"]) == 3
    assert built == ["list"]


def test_unfiltered_pages_show_a_scheduled_claim_once_it_is_due(api):
    ClaimFactory()
    scheduled = ClaimFactory(published_at=timezone.now() + timezone.timedelta(seconds=1))
    assert scheduled.slug not in slugs(api.get("/api/v1/claims/"))
    time.sleep(1.1)
    assert slugs(api.get("/api/v1/claims/"))[0] == scheduled.slug


def test_a_cursor_with_a_broken_position_is_a_clear_404(api):
    import base64

    for position in ("2025-09-04 10:15:00+00:00|kaputt", "kein-datum|12"):
        cursor = base64.b64encode(f"p={position}".encode()).decode()
        response = api.get("/api/v1/claims/", {"cursor": cursor})
        assert response.status_code == 404, position
        assert "Cursor" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/v1/claims/", "/api/v1/claimants/", "/api/v1/corrections/", "/api/v1/sources/"])
def test_a_cursor_whose_position_holds_a_nul_character_is_a_clear_404(api, url):
    import base64

    ClaimFactory()
    for position in ("%00|1", "a%00b|1", "%00"):
        cursor = base64.b64encode(f"p={position}".encode()).decode()
        response = api.get(url, {"cursor": cursor})
        assert response.status_code == 404, (position, response.status_code)
        assert "Cursor" in response.json()["detail"]


@pytest.mark.parametrize("cursor", ["kaputt", "\x00", "!!!!", "cD0y%", "ü"])
@pytest.mark.parametrize("url", ["/api/v1/claims/", "/api/v1/claimants/", "/api/v1/corrections/"])
def test_invalid_cursor_is_a_clear_404(api, url, cursor):
    ClaimFactory()
    response = api.get(url, {"cursor": cursor})
    assert response.status_code == 404, response.content
    assert "Cursor" in response.json()["detail"]
    # An empty parameter is no cursor: the first page.
    assert api.get(url, {"cursor": ""}).json()["results"] == api.get(url).json()["results"]


def correct(claim, rating, note="Neue Zahlen."):
    """What a verdict correction leaves behind: the new verdict, a fresh `updated_at` and the public record."""
    CorrectionFactory(claim=claim, kind="verdict", note=note, old_rating=claim.rating, new_rating=rating)
    claim.rating = rating
    claim.save()


def test_incremental_sync_with_updated_since_sees_corrections_but_not_withdrawn_claims(api, publisher, other_rating):
    from claims import services

    kept, corrected, withdrawn = ClaimFactory(), ClaimFactory(), ClaimFactory()
    Claim.objects.update(updated_at=timezone.now() - timezone.timedelta(days=2))
    checkpoint = timezone.now()
    correct(corrected, other_rating)
    services.withdraw(claim=withdrawn, user=publisher, note="Quelle war gefälscht.")

    changed = api.get("/api/v1/claims/", {"updated_since": checkpoint.isoformat(), "ordering": "updated_at"}).json()["results"]
    assert [c["slug"] for c in changed] == [corrected.slug]
    assert changed[0]["rating"]["slug"] == "richtig"
    log = api.get("/api/v1/corrections/", {"since": checkpoint.isoformat(), "ordering": "date"}).json()["results"]
    assert [(c["claim"], c["kind"]) for c in log] == [(corrected.slug, "verdict")]
    assert kept.slug not in str(changed) + str(log)
    assert withdrawn.slug not in api.get("/api/v1/claims/").content.decode()
    assert "gefälscht" not in str(log)


def test_incremental_sync_with_updated_since_sees_a_scheduled_claim_once_it_is_due(api):
    """A claim scheduled before the partner's last sync was saved then, but appears only when due: the next sync must see it."""
    scheduled = ClaimFactory(published_at=timezone.now() + timezone.timedelta(seconds=1))
    checkpoint = timezone.now()
    assert slugs(api.get("/api/v1/claims/", {"updated_since": checkpoint.isoformat(), "ordering": "updated_at"})) == []
    time.sleep(1.1)
    assert slugs(api.get("/api/v1/claims/", {"updated_since": checkpoint.isoformat(), "ordering": "updated_at"})) == [scheduled.slug]


def test_corrections_of_drafts_stay_hidden(api):
    draft = ClaimFactory(status=ClaimStatus.DRAFT)
    CorrectionFactory(claim=draft, note="INTERNE-NOTIZ")
    assert "INTERNE-NOTIZ" not in api.get("/api/v1/corrections/").content.decode()


def test_corrections_filtered_by_claim_name_an_unknown_or_unpublished_claim_with_a_400(api):
    public, draft = ClaimFactory(), ClaimFactory(status=ClaimStatus.DRAFT)
    CorrectionFactory(claim=public)
    assert [c["claim"] for c in api.get("/api/v1/corrections/", {"claim": public.slug}).json()["results"]] == [public.slug]
    answers = [api.get("/api/v1/corrections/", {"claim": slug}) for slug in ("gibt-es-nicht", draft.slug)]
    assert [answer.status_code for answer in answers] == [400, 400]
    assert "claim" in answers[1].json()["errors"]
    # A draft is not named: its answer reads like the one for a slug that does not exist.
    assert answers[1].json()["errors"]["claim"][0].replace(draft.slug, "X") == answers[0].json()["errors"]["claim"][0].replace(
        "gibt-es-nicht", "X"
    )


def test_claimants_lists_only_those_with_published_claims(api):
    public = ClaimFactory().claimant
    hidden = ClaimFactory(status=ClaimStatus.DRAFT, claimant=ClaimantFactory(name="Nur im Entwurf")).claimant
    assert slugs(api.get("/api/v1/claimants/")) == [public.slug]
    assert api.get(f"/api/v1/claimants/{hidden.slug}/").status_code == 404


def test_sources_show_only_public_quotes(api):
    appearance = AppearanceFactory()
    draft = ClaimFactory(status=ClaimStatus.DRAFT)
    AppearanceFactory(claim=draft, source=appearance.source, quote="Die Debatte soll in der kommenden Woche fortgesetzt werden.")
    only_draft = AppearanceFactory(claim=ClaimFactory(status=ClaimStatus.DRAFT)).source
    assert slugs(api.get("/api/v1/sources/")) == [appearance.source.slug]
    body = api.get(f"/api/v1/sources/{appearance.source.slug}/").json()
    assert [a["claim"] for a in body["appearances"]] == [appearance.claim.slug]
    assert body["body"] == appearance.source.body
    assert api.get(f"/api/v1/sources/{only_draft.slug}/").status_code == 404


def test_sources_are_searched_in_full_text_with_q(api):
    """`q` searches archived articles as it searches claims (umlauts as readers type them); a bad `q` is a 400."""
    energy = AppearanceFactory().source
    other = AppearanceFactory(source=SourceFactory(title="Zollstreit mit Übersee", body=energy.body.replace("Energie", "Zoll"))).source
    assert slugs(api.get("/api/v1/sources/", {"q": "Uebersee"})) == [other.slug]
    assert slugs(api.get("/api/v1/sources/", {"q": "Übersee -Zollstreit"})) == []
    assert set(slugs(api.get("/api/v1/sources/"))) == {energy.slug, other.slug}
    response = api.get("/api/v1/sources/", {"q": "\x00"})
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


@pytest.mark.parametrize("header", [{"HTTP_IF_UNMODIFIED_SINCE": "Mon, 01 Jan 1990 00:00:00 GMT"}, {"HTTP_IF_MATCH": '"veraltet"'}])
def test_a_failed_precondition_is_a_412_in_json(api, header):
    claim = ClaimFactory()
    for path in ("/api/v1/claims/", f"/api/v1/claims/{claim.slug}/"):
        response = api.get(path, **header)
        assert response.status_code == 412, path
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/claims/", "/api/v1/claims/export/", "/api/v1/claims/claimreview/", "/api/v1/ratings/"])
def test_an_unknown_format_is_a_406_naming_the_formats_not_a_404(api, path):
    ClaimFactory()
    response = api.get(path, {"format": "csv"})
    assert response.status_code == 406
    assert "csv" in response.json()["detail"] and "json" in response.json()["detail"]


def test_ratings_list_the_scale(api):
    ratings = api.get("/api/v1/ratings/").json()
    falsch = next(r for r in ratings if r["slug"] == "falsch")
    assert falsch["label"] == "Falsch" and falsch["best_value"] > falsch["worst_value"]


@pytest.mark.parametrize("path", ["/api/v1/claims/", "/api/v1/claims/{slug}/", "/api/v1/corrections/"])
def test_conditional_get_answers_304_until_the_content_changes(api, other_rating, path):
    claim = AppearanceFactory().claim
    CorrectionFactory(claim=claim)
    url = path.format(slug=claim.slug)
    first = api.get(url)
    etag = first["ETag"]
    assert etag and "Authorization" in first["Vary"]
    again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    correct(claim, other_rating)
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_api_reads_in_english_and_german_carry_both_rating_labels(api):
    ClaimFactory()
    rating = api.get("/api/v1/claims/").json()["results"][0]["rating"]
    assert rating["label"] == "Falsch" and rating["label_en"] == "False"


@pytest.mark.parametrize(
    ("params", "field", "text"),
    [
        ({"page_size": "abc"}, "page_size", "ganze Zahl"),
        ({"page_size": "0"}, "page_size", "ganze Zahl"),
        ({"page_size": "-5"}, "page_size", "ganze Zahl"),
        ({"page_size": "²"}, "page_size", "ganze Zahl"),
        ({"ordering": "text"}, "ordering", "Unbekannte Sortierung „text“; möglich: published_at, -published_at, updated_at, -updated_at."),
        ({"ordering": "-id"}, "ordering", "Unbekannte Sortierung „-id“"),
        ({"ordering": "published_at,"}, "ordering", "Unbekannte Sortierung"),
    ],
)
def test_bad_paging_or_ordering_values_are_refused_not_ignored(api, params, field, text):
    ClaimFactory()
    response = api.get("/api/v1/claims/", params)
    assert response.status_code == 400
    assert text in response.json()["errors"][field][0]


def test_page_size_beyond_the_maximum_is_the_maximum_and_empty_is_the_default(api):
    assert api.get("/api/v1/claims/", {"page_size": "5000"}).status_code == 200
    assert api.get("/api/v1/claims/", {"page_size": ""}).status_code == 200
    assert api.get("/api/v1/corrections/", {"ordering": "-date"}).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("post", "/api/v1/claims/similar/", {"data": b"x" * (6 * 1024 * 1024), "content_type": "application/json"}, 413),
        ("post", "/api/v1/claims/similar/", {"data": "a=b" + "&a=b" * 2000, "content_type": "application/x-www-form-urlencoded"}, 400),
        ("get", "/api/v1/claims/?" + "&".join(f"p{i}=x" for i in range(1500)), {}, 400),
        ("get", "/api/v1/claims/", {"HTTP_HOST": "fremd.example"}, 400),
    ],
)
def test_requests_refused_before_the_api_runs_are_answered_in_json(api, method, path, kwargs, status):
    response = getattr(api, method)(path, **kwargs)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_refused_oversized_page_request_keeps_the_html_error_page(client):
    response = client.get("/faktenchecks/?" + "&".join(f"p{i}=x" for i in range(1500)))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_an_unknown_language_is_a_400_naming_the_filter_not_an_empty_page(api):
    ClaimFactory(language="de")
    response = api.get("/api/v1/claims/", {"language": "deutsch"})
    assert response.status_code == 400
    assert "language" in response.json()["errors"]
    assert len(api.get("/api/v1/claims/", {"language": "de"}).json()["results"]) == 1
