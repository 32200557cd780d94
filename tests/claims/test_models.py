import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from claims.choices import ClaimStatus
from claims.markup import render_markdown
from claims.models import Claim, Rating, RatingScale
from sources.models import SEARCH_CONFIG, Source
from tests.factories import AppearanceFactory, ClaimFactory, CorrectionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_default_scale_has_german_ratings_with_values_within_bounds():
    labels = list(Rating.objects.filter(scale__is_default=True).values_list("label", flat=True))
    assert {"Richtig", "Falsch", "Fehlender Kontext", "Unbelegt"} <= set(labels)
    for rating in Rating.objects.select_related("scale"):
        assert rating.scale.worst_value <= rating.value <= rating.scale.best_value


def test_rating_value_outside_scale_is_rejected():
    rating = Rating.objects.get(scale__is_default=True, slug="falsch")
    rating.value = 9
    with pytest.raises(ValidationError) as error:
        rating.full_clean()
    assert "value" in error.value.message_dict


def test_short_claim_text_is_limited_to_75_characters():
    claim = ClaimFactory.build(text="x" * 76, slug="lang")
    with pytest.raises(ValidationError) as error:
        claim.full_clean(exclude=["claimant", "rating", "author"])
    assert "text" in error.value.message_dict


def test_published_claim_needs_rating_and_conclusion():
    with pytest.raises(IntegrityError):
        ClaimFactory(rating=None)


def test_slug_is_derived_and_unique():
    first = ClaimFactory(text="Die Erde ist flach")
    second = ClaimFactory(text="Die Erde ist flach")
    assert first.slug == "die-erde-ist-flach"
    assert second.slug == "die-erde-ist-flach-2"


def test_addresses_spell_umlauts_and_sharp_s_out():
    claim = ClaimFactory(text="Deutsche Soldaten könnten über Maßnahmen im Ärmelkanal wachen")
    assert claim.slug == "deutsche-soldaten-koennten-ueber-massnahmen-im-aermelkanal-wachen"
    source = SourceFactory(title="Größter Unterstützer: Österreich prüft Beteiligung")
    assert source.slug.startswith("groesster-unterstuetzer-oesterreich-prueft-beteiligung-")


def test_context_markdown_is_rendered_and_script_removed():
    claim = ClaimFactory(context='**fett** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(1)">')
    assert "<strong>fett</strong>" in claim.context_html
    assert "<script" not in claim.context_html
    assert "javascript:" not in claim.context_html
    assert "onerror" not in claim.context_html


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ('Absatz\n{: title="x" lang="en" }', "<p>Absatz</p>"),
        ('*betont*{: title="x"}', "<p><em>betont</em></p>"),
        ('<p title="x" lang="en">roh</p>', "<p>roh</p>"),
        (
            '[Quelle](https://example.org "Titel")',
            '<p><a href="https://example.org" title="Titel" rel="noopener noreferrer nofollow">Quelle</a></p>',
        ),
    ],
)
def test_markdown_keeps_only_the_attributes_it_allows(source, html):
    assert render_markdown(source) == html


def test_render_markdown_keeps_safe_links():
    html = render_markdown("[Quelle](https://example.org/a)")
    assert 'href="https://example.org/a"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize(
    ("status", "offset_days", "public"),
    [
        (ClaimStatus.PUBLISHED, -1, True),
        (ClaimStatus.PUBLISHED, +1, False),
        (ClaimStatus.DRAFT, -1, False),
        (ClaimStatus.IN_REVIEW, -1, False),
        (ClaimStatus.WITHDRAWN, -1, False),
    ],
)
def test_is_public_agrees_with_published_queryset(status, offset_days, public):
    claim = ClaimFactory(status=status, published_at=timezone.now() + timezone.timedelta(days=offset_days))
    assert claim.is_public is public
    assert Claim.objects.published().filter(pk=claim.pk).exists() is public


def test_same_article_text_cannot_be_stored_twice():
    SourceFactory(body="Gleicher Text " * 20)
    with pytest.raises(IntegrityError):
        SourceFactory(body="Gleicher Text " * 20)


def test_url_is_unique_among_current_versions_but_optional():
    SourceFactory(url="")
    SourceFactory(url="")
    SourceFactory(url="https://example.org/a")
    with pytest.raises(IntegrityError):
        SourceFactory(url="https://example.org/a")


def test_only_one_first_appearance_per_claim():
    appearance = AppearanceFactory(is_first=True)
    with pytest.raises(IntegrityError):
        AppearanceFactory(claim=appearance.claim, is_first=True)


def test_the_passage_is_copied_from_the_article_as_it_stands():
    source = SourceFactory(body="Laut Bericht seien „42 Prozent des Stroms“\nim Jahr aus Wind gekommen.")
    appearance = AppearanceFactory(source=source, quote='"42 Prozent des Stroms" im Jahr')
    assert appearance.passage == "42 Prozent des Stroms“\nim Jahr"
    assert appearance.exact_quote == source.body[appearance.start : appearance.end]
    appearance.refresh_from_db()
    assert appearance.passage == "42 Prozent des Stroms“\nim Jahr"


def test_saving_some_fields_keeps_the_passage_in_step(db):
    appearance = AppearanceFactory()
    other = SourceFactory(body="Ganz anderer Text: 42 Prozent des Stroms im vergangenen Jahr aus Windkraft gewonnen worden.")
    appearance.source = other
    appearance.clean()
    appearance.save(update_fields=["source", "start", "end"])
    appearance.refresh_from_db()
    assert appearance.passage == other.body[appearance.start : appearance.end]


def test_corrections_are_never_deleted():
    correction = CorrectionFactory()
    with pytest.raises(ValidationError):
        correction.delete()


def test_source_search_vector_ignores_umlauts_and_eszett():
    SourceFactory(title="Maßnahmen gegen Überschwemmung")
    for query in ("Massnahmen", "uberschwemmung", "Maßnahme"):
        assert Source.objects.filter(search_vector=SearchQuery(query, config=SEARCH_CONFIG)).exists(), query


def test_the_rules_of_a_rating_scale_are_explained_in_german(db):
    assert RatingScale.objects.filter(is_default=True).exists()
    with pytest.raises(ValidationError, match="nur eine Skala kann Standard sein"):
        RatingScale(name="Zweite Skala", slug="zweite", best_value=5, worst_value=1, is_default=True).full_clean()
    with pytest.raises(ValidationError, match="Der beste Wert muss größer sein als der schlechteste"):
        RatingScale(name="Dritte Skala", slug="dritte", best_value=1, worst_value=5).full_clean()
