"""schema.org ClaimReview for one published claim: the claim page and the API return the same dict.

The values are exactly those the claim page shows (verdict label in the reader's language,
conclusion, dates, claimant, every appearance), so search engines and fact-check
aggregators see what readers see. Build the queryset with `with_claim_review_data()` so the
builder itself runs no queries.
"""

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from .choices import ClaimantKind
from .models import Appearance, Claim

SCHEMA_CONTEXT = "https://schema.org"


SOURCE_CONTENT_FIELDS = ("body", "raw", "search_vector")


def appearances_with_sources() -> QuerySet:
    """Appearances in reading order with their source and outlet, without the article itself:
    text, raw bytes and search vector are large and never shown (the passage is stored)."""
    return (
        Appearance.objects.select_related("source", "source__outlet")
        .defer(*(f"source__{name}" for name in SOURCE_CONTENT_FIELDS))
        .order_by("-is_first", "source__published_at", "id")
    )


def with_claim_review_data(queryset: QuerySet) -> QuerySet:
    """`queryset` with everything `claim_review()` reads, in a fixed number of queries."""
    return (
        queryset.select_related("claimant", "rating", "rating__scale")
        .defer("search_vector")
        .prefetch_related(Prefetch("appearances", queryset=appearances_with_sources()))
    )


def absolute_url(path: str, request=None) -> str:
    """Absolute URL of `path` for the current request, or under SITE_URL without one."""
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{settings.SITE_URL}{path}"


def organisation(request=None) -> dict:
    """The fact-checking organisation: publisher and author of every review."""
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute_url("/", request)}


def rating_label(rating, language: str | None = None) -> str:
    """The verdict label as the page shows it: English UI shows the English label."""
    language = language or get_language() or settings.LANGUAGE_CODE
    if language.startswith("en") and rating.label_en:
        return rating.label_en
    return rating.label


def _isoformat(value) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _claimant(claim: Claim) -> dict | None:
    claimant = claim.claimant
    if claimant is None:
        return None
    data = {
        "@type": "Organization" if claimant.kind == ClaimantKind.ORGANISATION else "Person",
        "name": claimant.name,
    }
    if claimant.role:
        data["jobTitle" if claimant.kind == ClaimantKind.PERSON else "description"] = claimant.role
    return data


def _creative_work(appearance: Appearance, request=None) -> dict:
    source = appearance.source
    archive = absolute_url(source.get_absolute_url(), request)
    work = {
        "@type": "CreativeWork",
        "url": source.url or archive,
        "archivedAt": archive,
        "headline": source.title,
        "text": appearance.exact_quote,
    }
    if source.published_at:
        work["datePublished"] = _isoformat(source.published_at)
    if source.outlet_id:
        work["publisher"] = {"@type": "Organization", "name": source.outlet.name}
    if source.author:
        work["author"] = {"@type": "Person", "name": source.author}
    return work


def date_modified(claim: Claim):
    """When the review last changed in a way readers see (edit, correction, new appearance)."""
    candidates = [claim.updated_at, claim.published_at]
    candidates += [appearance.created_at for appearance in claim.appearances.all()]
    return max(value for value in candidates if value is not None)


def claim_review(claim: Claim, request=None, *, language: str | None = None) -> dict:
    """The schema.org ClaimReview of a published `claim` as a JSON-serialisable dict."""
    rating = claim.rating
    scale = rating.scale
    appearances = list(claim.appearances.all())
    first = next((appearance for appearance in appearances if appearance.is_first), appearances[0] if appearances else None)

    item = {"@type": "Claim"}
    author = _claimant(claim)
    if author:
        item["author"] = author
    if claim.claim_date:
        item["datePublished"] = claim.claim_date.isoformat()
    if first is not None:
        item["firstAppearance"] = _creative_work(first, request)
    if appearances:
        item["appearance"] = [_creative_work(appearance, request) for appearance in appearances]

    return {
        "@context": SCHEMA_CONTEXT,
        "@type": "ClaimReview",
        "url": absolute_url(claim.get_absolute_url(), request),
        "claimReviewed": claim.text,
        "inLanguage": claim.language,
        "datePublished": _isoformat(claim.published_at),
        "dateModified": _isoformat(date_modified(claim)),
        "author": organisation(request),
        "publisher": organisation(request),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating.value,
            "bestRating": scale.best_value,
            "worstRating": scale.worst_value,
            "alternateName": rating_label(rating, language),
            "ratingExplanation": claim.conclusion,
        },
        "itemReviewed": item,
    }
