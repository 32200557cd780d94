"""Full-text search and similar-claim matching over claims.

Both go through indexes: the stored `search_vector` (GIN, German configuration without
accents) and a trigram GIN index on the short claim text. Nothing here scans the table.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Greatest

from sources.models import SEARCH_CONFIG

from .models import Claim


def web_query(text: str) -> SearchQuery:
    """A reader's query in web-search syntax: "exact phrase", OR, -exclusion."""
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def search_claims(queryset: QuerySet, text: str) -> QuerySet:
    """Filter `queryset` to claims matching `text`, best match first."""
    text = (text or "").strip()
    if not text:
        return queryset
    query = web_query(text)
    return (
        queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query)).order_by("-rank", "-published_at", "-id")
    )


def similar_claims(text: str, *, queryset: QuerySet | None = None, exclude_pk=None, limit: int = 5, threshold: float = 0.15):
    """Claims that look like the same statement as `text`, with a score in [0, 1].

    Candidates come from the trigram index (`%` operator on the short text) or from the
    full-text index (any of the words, stemmed); the score combines trigram similarity with
    the full-text rank, so rewordings ("gesetzmäßige Ziele" / "legitime Ziele") still meet.
    """
    text = (text or "").strip()
    if not text:
        return []
    queryset = Claim.objects.all() if queryset is None else queryset
    words = [word for word in text.replace('"', " ").split() if len(word) > 2]
    any_word = SearchQuery(" OR ".join(words), search_type="websearch", config=SEARCH_CONFIG) if words else None
    condition = Q(text__trigram_similar=text)
    if any_word is not None:
        condition |= Q(search_vector=any_word)
    rank = SearchRank(F("search_vector"), any_word, normalization=32) if any_word is not None else Value(0.0)
    candidates = (
        queryset.filter(condition)
        .annotate(trigram=TrigramSimilarity("text", text), rank=rank)
        .annotate(score=Greatest(F("trigram"), F("rank") * 2, output_field=FloatField()))
        .filter(score__gte=threshold)
        .select_related("rating", "claimant")
        .order_by("-score", "-id")
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return list(candidates[:limit])
