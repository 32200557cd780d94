"""Full-text search and similar-claim matching over claims and sources.

Both go through indexes: the stored `search_vector` columns (GIN, German configuration
without accents) and a trigram GIN index on the short claim text. Nothing here scans the
table; `tests/claims/test_search_plans.py` checks the query plans.

Public callers: `search_window` (the search page, for claims and articles), `search_claims`
(API `q=`, admin) and `similar_claims` (admin duplicate warnings, related claims, the API's
"already checked?").
"""

import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import (
    SearchConfig,
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramDistance,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection, connections, router
from django.db.models import CharField, F, Func, QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sources.models import SEARCH_CONFIG

from .models import Claim

# Longer queries are cut: nobody types more, and the tsquery stays cheap.
MAX_QUERY_LENGTH = 200
# Reader searches rank at most this many of the newest matches.
RANKING_WINDOW = 200

# ts_headline does not escape the document; these markers survive it and are swapped for
# <mark> only after the text around them has been escaped.
_START, _STOP = "\x02", "\x03"

# Readers without a German keyboard write "Groesster Unterstuetzer"; the stored vectors only
# know "größter" (unaccented to "grosster"). Such queries also run with ä/ö/ü put back.
_TRANSLITERATION = re.compile(r"(?<=[a-zA-Z])(ae|oe|ue|Ae|Oe|Ue)|\b(Ae|Oe|Ue)(?=[a-z])")
_UMLAUTS = {"ae": "ä", "oe": "ö", "ue": "ü", "Ae": "Ä", "Oe": "Ö", "Ue": "Ü"}

# Words that state the same thing in fact-check language. German full-text stemming maps
# "legitimen" to "legitim", but not "legitim" to "rechtmäßig"; claims recur with exactly
# such rewordings. Each group is one concept when claims are compared.
SYNONYMS = (
    ("legitim", "rechtmäßig", "gesetzmäßig", "legal", "berechtigt", "zulässig"),
    ("Ziel", "Ziele", "Angriffsziel", "Angriffsziele", "Kampfziel", "Kampfziele"),
    ("Truppen", "Truppe", "Soldaten", "Soldat", "Streitkräfte", "Militär", "Bodentruppen", "Einheiten", "Friedenstruppe"),
    ("entsenden", "Entsendung", "schicken", "senden", "stationieren", "Stationierung", "verlegen", "Verlegen", "einsetzen"),
    ("ablehnen", "abgelehnt", "Ablehnung", "Absage", "ausschließen", "ausgeschlossen", "zurückweisen"),
    ("ausländisch", "ausländische", "fremde", "westliche", "internationale"),
    ("Russland", "Moskau", "Kreml"),
    ("USA", "Vereinigte", "Vereinigten", "US", "Washington", "amerikanisch"),
    ("Deutschland", "Bundesrepublik", "Berlin"),
    ("größter", "größte", "wichtigster", "stärkster"),
    ("Unterstützer", "Geldgeber", "Helfer", "Förderer"),
    ("Länder", "Staaten", "Nationen"),
    ("zugesagt", "Zusage", "zusagen", "versprochen"),
    ("bereit", "bereiterklärt", "gewillt", "willens"),
)

# At most this many concepts of a long input (an article sentence) go into the index query.
MAX_CONCEPTS = 12
# Default score a claim needs to count as "probably the same statement"; chosen on the
# labelled pairs in tests/claims/test_matching_quality.py.
SIMILARITY_THRESHOLD = 0.6


def clean_query(text) -> str:
    """Reader input as a query: NUL bytes and control characters removed, length capped."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(text or ""))
    return text.strip()[:MAX_QUERY_LENGTH].strip()


def _with_umlauts(text: str) -> str:
    return _TRANSLITERATION.sub(lambda m: _UMLAUTS[m.group(0)], text)


def web_query(text: str) -> SearchQuery:
    """A reader's query in web-search syntax: "exact phrase", OR, -exclusion.

    Accents and ß never matter (the configuration unaccents); a query spelled with ae/oe/ue
    also matches the umlaut spelling.
    """
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    umlauts = _with_umlauts(text)
    if umlauts != text:
        query |= SearchQuery(umlauts, search_type="websearch", config=SEARCH_CONFIG)
    return query


# German compounds with hyphens ("Kita-Plätze", "CDU-Chef") are indexed as the whole word
# followed by its parts, and web-search syntax asks for exactly that phrase:
# 'kita-platz' <-> 'kita' <-> 'platz'. The GIN index cannot check positions, so every row
# with the three words is rechecked in the table, and the planner, taking the words as
# independent, expects few (611 for 17,810 in 100,000 claims: 97 ms for the newest 200).
# Where such a phrase stands alone, the whole word says the same and the index answers it.
_HYPHENATED = re.compile(r"\w-\w")
_TSQUERY_TOKEN = re.compile(r"'(?:[^']|'')*'(?::[*A-D]+)?|<->|<\d+>|[&|!()]")


def _distance(operator: str) -> int | None:
    if operator == "<->":
        return 1
    if operator.startswith("<") and operator.endswith(">"):
        return int(operator[1:-1])
    return None


def without_compound_phrases(tsquery: str) -> str:
    """`tsquery` (as text) with every phrase that is one hyphenated word and its parts,
    and nothing else, replaced by the whole word; other phrases stay as they are."""
    tokens = _TSQUERY_TOKEN.findall(tsquery)
    out, index = [], 0
    while index < len(tokens):
        token = tokens[index]
        end, span = index + 1, 0
        while end + 1 < len(tokens) and _distance(tokens[end]) and tokens[end + 1].startswith("'"):
            span, end = span + _distance(tokens[end]), end + 2
        word = token[1:-1] if token.startswith("'") and token.endswith("'") else ""
        # Not after "!" or a phrase step: there the phrase is part of something larger.
        alone = not index or (tokens[index - 1] != "!" and _distance(tokens[index - 1]) is None)
        if alone and span and "-" in word and span == word.count("-") + 1:
            out.append(token)
        else:
            out.extend(tokens[index:end])
        index = end
    return " ".join(out)


@lru_cache(maxsize=512)
def _compound_query(text: str) -> str:
    """The tsquery of `web_query(text)` as text, hyphenated words standing alone as whole words."""
    reading = connections[router.db_for_read(Claim)]
    query = web_query(text).resolve_expression(Claim.objects.all().query)
    sql, params = query.as_sql(Claim.objects.all().query.get_compiler(connection=reading), reading)
    with reading.cursor() as cursor:
        cursor.execute(f"SELECT ({sql})::text", params)
        return without_compound_phrases(cursor.fetchone()[0])


def reader_query(text: str) -> SearchQuery:
    """`web_query(text)`, with hyphenated words looked up as whole words (see above)."""
    if not _HYPHENATED.search(text):
        return web_query(text)
    return RawTsQuery(_compound_query(text))


def _rank(text: str) -> SearchRank:
    # Rows are found by `reader_query`, which finds the same rows as `web_query`, and ranked
    # by `web_query`, as readers wrote it.
    return SearchRank(F("search_vector"), web_query(text), normalization=1)


def search_window(queryset: QuerySet, text: str, *, window: int = RANKING_WINDOW) -> list[int]:
    """The ids of the newest `window` matches of `text` in `queryset` (claims or sources),
    best match first: one query.

    Ranking reads every ranked row; a frequent word matches a fifth of a large archive. The
    newest `window` matches come straight from the date index (for claims the index holds the
    vectors too: `claim_published_search`) and are ranked in the same query. A page then
    reads only its own rows, and counts without a query.
    """
    text = clean_query(text)
    if not text:
        return []
    newest = queryset.filter(search_vector=reader_query(text)).order_by("-published_at", "-id").values("pk")[:window]
    # Ranked once the window is cut: ranking every match of a two-word query took longer than finding them.
    ranked = queryset.filter(pk__in=newest).annotate(rank=_rank(text)).order_by("-published_at", "-id").values_list("pk", "rank")
    # Best rank first; a stable sort keeps equal ranks newest first, as the window came.
    return [pk for pk, _ in sorted(ranked, key=lambda row: -row[1])]


def in_order(queryset: QuerySet, ids: list[int]) -> list:
    """The rows of `queryset` with the `ids`, in that order (ids it does not hold are left out)."""
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


# A search without matches shows at most this many claims spelled like it, chosen among this
# many candidates of the trigram index (a frequent misspelling matches thousands of claims).
SPELLED_ALIKE = 5
SPELLED_ALIKE_CANDIDATES = 200
# Search words compared by spelling: the longest few, of at least this many letters ("der" or
# "EU" are spelled like half the archive).
SPELLED_ALIKE_WORDS = 4
SPELLED_ALIKE_MIN_LENGTH = 4
# Words of web-search syntax that are no search words: OR, and "-word" exclusions.
_SEARCH_WORD = re.compile(r"(?<![\w-])(?!OR\b)\w[\w.-]*")
_EXCLUDED_WORD = re.compile(r"(?<![\w-])-(\w[\w.-]*)")


def search_words(text: str) -> list[str]:
    """The words of a reader's query, in order, without its web-search syntax: no "OR", no
    "-word" exclusions, no quotes, no punctuation around a word ("Putin," is "Putin")."""
    text = clean_query(text).replace('"', " ")
    return [word.rstrip(".-") for word in _SEARCH_WORD.findall(text)]


def excluded_words(text: str) -> list[str]:
    """The words a reader's query excludes ("-Moskau")."""
    return _EXCLUDED_WORD.findall(clean_query(text).replace('"', " "))


def spelled_alike(queryset: QuerySet, text: str) -> list[int]:
    """Ids of claims in `queryset` whose text has a word spelled like each search word, best first.

    For a reader search without a match: "Trupen" or "Selenski" finds nothing in the
    full-text index, which knows only correctly spelled words. pg_trgm's word similarity
    (`text %> word`, above `pg_trgm.word_similarity_threshold`, 0.6 by default) reads the
    trigram index of the claim text, once per word; the best of a bounded number of
    candidates come first.
    """
    words = {word for word in search_words(text) if len(word) >= SPELLED_ALIKE_MIN_LENGTH}
    words = sorted(words, key=lambda word: (-len(word), word))[:SPELLED_ALIKE_WORDS]
    if not words:
        return []
    candidates = queryset
    for word in words:
        candidates = candidates.filter(text__trigram_word_similar=word)
    for word in excluded_words(text):  # "-Wort" still excludes, as in the search itself
        candidates = candidates.exclude(search_vector=web_query(word))
    likeness = sum((TrigramWordSimilarity(word, "text") for word in words[1:]), TrigramWordSimilarity(words[0], "text"))
    alike = (
        queryset.filter(pk__in=candidates.order_by().values("pk")[:SPELLED_ALIKE_CANDIDATES])
        .annotate(likeness=likeness)
        .order_by("-likeness", "-published_at", "-id")
        .values_list("pk", flat=True)
    )
    return list(alike[:SPELLED_ALIKE])


def search_claims(queryset: QuerySet, text: str) -> QuerySet:
    """Filter `queryset` to every claim matching `text` in web-search syntax, best match first,
    with its `rank` (API filters, the newsroom's admin search; readers' search pages rank
    only the newest matches: `search_window`).

    Ranks: the claim text weighs most, then the long text and the conclusion, then the
    context.
    """
    text = clean_query(text)
    if not text:
        return queryset
    return queryset.filter(search_vector=reader_query(text)).annotate(rank=_rank(text)).order_by("-rank", "-published_at", "-id")


def with_headline(
    queryset: QuerySet,
    expression,
    text: str,
    *,
    name: str = "headline",
    max_words: int = 35,
    max_fragments: int = 2,
    highlight_all: bool = False,
) -> QuerySet:
    """Annotate `name`: the best passages of `expression` (a field name or expression) with the matches marked.

    `highlight_all` returns the whole text instead of passages (for short fields). Render
    the result with `highlight()`, never with `|safe`: PostgreSQL does not HTML-escape it.
    """
    text = clean_query(text)
    if not text:
        return queryset
    options = {"highlight_all": True} if highlight_all else {"min_words": max(5, max_words // 3), "max_words": max_words}
    return queryset.annotate(
        **{
            name: SearchHeadline(
                expression,
                web_query(text),
                config=SEARCH_CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_fragments=0 if highlight_all else max_fragments,
                fragment_delimiter=_FRAGMENT_DELIMITER,
                **options,
            )
        }
    )


_FRAGMENT_DELIMITER = " … "
_TRIMMED_WORDS = 2  # ts_headline drops an article or a last short word at a passage's edges
_SENTENCE_END = re.compile(r"[.!?]\s")


def with_ellipses(headline: str, text: str) -> str:
    """`headline` (passages of `text` from `with_headline`) completed at its edges.

    ts_headline cuts passages at word boundaries and also trims a leading article or the
    final full stop, without saying so: a snippet starting with a dangling closing quote or
    stopping mid-sentence reads like a broken page. A few trimmed words of the same sentence
    are put back; where more of the text goes on, "…" says so.
    """
    if not headline:
        return headline
    fragments = headline.replace(_START, "").replace(_STOP, "").split(_FRAGMENT_DELIMITER)
    first, last = " ".join(fragments[0].split()), " ".join(fragments[-1].split())
    text = " ".join(text.split())
    start = text.find(first) if first else -1
    if start > 0:
        before = text[:start]
        trimmed = len(before.split()) <= _TRIMMED_WORDS and not _SENTENCE_END.search(before)
        headline = (before if trimmed else "… ") + headline.lstrip()
    end = text.rfind(last) if last else -1
    if end >= 0 and text[end + len(last) :].strip():
        after = text[end + len(last) :]
        trimmed = len(after.split()) <= _TRIMMED_WORDS and not _SENTENCE_END.search(after.rstrip())
        headline = headline.rstrip() + (after if trimmed else " …")
    return headline


# Markdown punctuation that would show as clutter in a plain-text snippet.
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"[*_`#>]+")


def highlight(headline: str, *, markdown: bool = False) -> SafeString:
    """HTML for a headline from `with_headline`: everything escaped, matches in <mark>.

    With `markdown`, emphasis marks and link targets of Markdown source are dropped first.
    """
    text = headline or ""
    if markdown:
        text = _MARKDOWN_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", text))
    html = escape(text)
    return mark_safe(html.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308 – escaped above


# --- Similar claims -------------------------------------------------------------------


def _lexemes_sql(words: list[str]) -> list[list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(to_tsvector(%s::regconfig, w)) FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) ORDER BY n",
            [SEARCH_CONFIG, words],
        )
        return [row[0] for row in cursor.fetchall()]


@lru_cache(maxsize=1)
def _synonym_concepts() -> dict[str, str]:
    """Stemmed lexeme -> concept name (the group's first lexeme), computed by the database's stemmer."""
    words = [word for group in SYNONYMS for word in group]
    lexemes = iter(_lexemes_sql(words))
    concepts: dict[str, str] = {}
    for group in SYNONYMS:
        stems = [stem for _word in group for stem in next(lexemes)]
        for stem in stems:
            concepts.setdefault(stem, stems[0])
    return concepts


def _tsquery_literal(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


class RawTsQuery(SearchQuery):
    """A tsquery of already stemmed lexemes, passed as is (no second normalisation by the parser)."""

    def __init__(self, query: str):
        super().__init__(Value(query))
        self.query = query

    def as_sql(self, compiler, connection, **extra_context):
        return "%s::tsquery", [self.query]


_frequencies: dict = {}


def lexeme_frequencies() -> dict[str, float]:
    """Share of claims containing each common lexeme, from the planner statistics (`ANALYZE`).

    PostgreSQL keeps the most common elements of the `search_vector` column with their
    frequencies. Words most claims share ("ukrain" in a newsroom covering the war) say
    little about whether two claims are the same. Reading `pg_stats` takes about a
    millisecond and the statistics change only when the table is analysed: a worker
    reuses them for `LEXEME_FREQUENCIES_SECONDS`.
    """
    now = time.monotonic()
    if _frequencies.get("expires", 0.0) > now:
        return _frequencies["value"]
    value = _read_lexeme_frequencies()
    if settings.LEXEME_FREQUENCIES_SECONDS > 0:
        _frequencies.update(value=value, expires=now + settings.LEXEME_FREQUENCIES_SECONDS)
    return value


def _read_lexeme_frequencies() -> dict[str, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = %s AND attname = 'search_vector'",
            [Claim._meta.db_table],
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        return {}
    return {lexeme: freq for lexeme, freq in zip(row[0], row[1], strict=False) if freq >= COMMON_FREQUENCY}


# A lexeme in at least this share of claims counts less, in proportion to its frequency.
COMMON_FREQUENCY = 0.02
MIN_WEIGHT = 0.1
# Candidates per index, so the work per lookup stays bounded however many claims share a
# word: claims sharing at least two concepts (GIN), and for short texts the nearest claims
# by trigram distance (GiST, read in order; costlier, so only where words are few).
TRIGRAM_CANDIDATES = 20
SHORT_TEXT_CONCEPTS = 2
CONCEPT_CANDIDATES = 100


@lru_cache(maxsize=1)
def _synonym_groups() -> dict[str, frozenset]:
    """Concept name -> every lexeme of its synonym group."""
    groups: dict[str, set] = {}
    for lexeme, concept in _synonym_concepts().items():
        groups.setdefault(concept, set()).add(lexeme)
    return {concept: frozenset(members) for concept, members in groups.items()}


def _weight(frequency: float) -> float:
    return max(MIN_WEIGHT, 1.0 - min(frequency, 1.0))


@dataclass(frozen=True)
class Probe:
    """A text prepared for matching: its concepts (synonyms collapsed), their lexemes and weights."""

    members: dict
    weights: dict
    frequencies: dict

    @property
    def total_weight(self) -> float:
        return sum(self.weights.values())

    def concept_weight(self, concept: str) -> float:
        members = _synonym_groups().get(concept, frozenset([concept]))
        return _weight(sum(self.frequencies.get(lexeme, 0.0) for lexeme in members))

    def index_query(self) -> str | None:
        """tsquery for claims whose short text shares at least two of the rarest concepts (one if there is only one)."""
        chosen = sorted(self.members, key=lambda c: (-self.weights[c], -len(c), c))[:MAX_CONCEPTS]
        alternatives = ["(" + " | ".join(_tsquery_literal(m) for m in sorted(self.members[c])) + ")" for c in chosen]
        if len(alternatives) <= 1:
            return alternatives[0] if alternatives else None
        return " | ".join(f"({a} & {b})" for i, a in enumerate(alternatives) for b in alternatives[i + 1 :])

    def overlap(self, lexemes) -> float:
        """Weighted Dice coefficient between this text's concepts and those of `lexemes`."""
        table = _synonym_concepts()
        concepts = {table.get(lexeme, lexeme) for lexeme in lexemes}
        if not concepts or not self.weights:
            return 0.0
        shared = sum(self.weights[c] for c in concepts if c in self.weights)
        return min(1.0, 2 * shared / (self.total_weight + sum(self.concept_weight(c) for c in concepts)))


def probe(text: str) -> Probe:
    """Stem `text` with the database's configuration and group its words into weighted concepts."""
    lexemes = _lexemes_sql([text])[0]
    table = _synonym_concepts()
    groups = _synonym_groups()
    frequencies = lexeme_frequencies()
    members: dict[str, set[str]] = {}
    for lexeme in lexemes:
        concept = table.get(lexeme, lexeme)
        # Every lexeme that stands for the concept, so "rechtmäßig" finds "legitim".
        members.setdefault(concept, set()).update(groups.get(concept, {lexeme}))
    probed = Probe(members=members, weights={}, frequencies=frequencies)
    probed.weights.update({concept: probed.concept_weight(concept) for concept in members})
    return probed


def _lexemes_of_text():
    return Func(
        Func(SearchConfig(SEARCH_CONFIG), F("text"), function="to_tsvector"),
        function="tsvector_to_array",
        output_field=ArrayField(CharField()),
    )


def similar_candidates(text: str, *, queryset: QuerySet | None = None, probed: Probe | None = None) -> QuerySet:
    """Claims that may state the same as `text`, found through the indexes; at most a few hundred.

    Claims whose short text shares at least two concepts with `text` (GIN full-text index;
    one shared word such as "Ukraine" is not enough) and, for short texts of one or two
    concepts, the nearest claims by trigram distance (GiST trigram index, read in distance
    order). Annotated with `trigram` (similarity) and `lexemes` (the stemmed words of the
    claim text) for scoring.
    """
    text = clean_query(text)
    queryset = Claim.objects.all() if queryset is None else queryset
    if not text:
        return queryset.none()
    probed = probed or probe(text)
    index_query = probed.index_query()
    ids = None
    if index_query:
        # The short text's words (`text_vector`): its index answers without rechecking rows.
        ids = queryset.filter(text_vector=RawTsQuery(index_query)).order_by().values_list("pk", flat=True)[:CONCEPT_CANDIDATES]
    if len(probed.members) <= SHORT_TEXT_CONCEPTS:
        # Few words to share: letters decide ("Selenskyj"/"Selenskij", compounds, typos).
        nearest = (
            queryset.annotate(distance=TrigramDistance("text", text)).order_by("distance").values_list("pk", flat=True)[:TRIGRAM_CANDIDATES]
        )
        ids = nearest if ids is None else nearest.union(ids)
    return Claim.objects.filter(pk__in=ids).annotate(trigram=TrigramSimilarity("text", text), lexemes=_lexemes_of_text())


def similar_scores(
    text: str, *, queryset: QuerySet | None = None, exclude_pk=None, limit: int = 5, threshold: float = SIMILARITY_THRESHOLD
) -> list[tuple[int, float, float, float]]:
    """`(id, score, trigram, overlap)` of the claims that look like the same statement as
    `text`, best first: two queries (stem `text`, score the candidates). See `similar_claims`."""
    text = clean_query(text)
    if not text:
        return []
    probed = probe(text)
    candidates = similar_candidates(text, queryset=queryset, probed=probed)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    scores = []
    for pk, trigram, lexemes in candidates.values_list("pk", "trigram", "lexemes"):
        overlap = probed.overlap(lexemes or [])
        if max(trigram, overlap) >= threshold:
            scores.append((pk, max(trigram, overlap), trigram, overlap))
    return sorted(scores, key=lambda row: (-row[1], -row[0]))[:limit]


def similar_claims(
    text: str, *, queryset: QuerySet | None = None, exclude_pk=None, limit: int = 5, threshold: float = SIMILARITY_THRESHOLD
) -> list:
    """Claims that look like the same statement as `text`, best first, each with a `score` in [0, 1].

    The score is the larger of the trigram similarity of the short texts and the concept
    overlap (stemmed words, synonyms collapsed, common words weighted down), so rewordings
    ("gesetzmäßige Ziele" / "legitime Ziele") meet as well as near-identical spellings.
    Three queries: stem `text`, score the candidates, load the best. Pass
    `queryset=Claim.objects.published()` for anything public.
    """
    if not clean_query(text):
        return []
    best = similar_scores(text, queryset=queryset, exclude_pk=exclude_pk, limit=limit, threshold=threshold)
    # Loaded through the caller's queryset, so its select_related/prefetch_related apply. The
    # query runs even when nothing matched (id 0 never exists), so pages showing related
    # claims make the same number of queries whatever the archive holds.
    source = Claim.objects.all() if queryset is None else queryset
    claims = source.select_related("rating", "claimant").in_bulk([row[0] for row in best] or [0])
    result = []
    for pk, score, trigram, overlap in best:
        claim = claims[pk]
        claim.score, claim.trigram, claim.overlap = score, trigram, overlap
        result.append(claim)
    return result
