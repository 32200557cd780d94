"""Sentences of an article a fact-checker would likely check.

Sentence splitting and token classes come from SoMaJo (a German tokenizer that knows
abbreviations, ordinals, dates and measurements). Each sentence is scored on features that
make a statement checkable: numbers and quantities, attributed speech and quotations,
comparisons and superlatives ("größter Unterstützer"), absolute words ("stets", "alle").
Questions, headlines and very short fragments score lower.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from somajo import SoMaJo

NUMBER_CLASSES = {"number", "amount", "measurement", "ordinal"}
NUMBER_WORDS = re.compile(
    r"\b(zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig|vierzig|fünfzig|hundert|tausend|"
    r"hunderte|tausende|dutzende|millionen?|milliarden?|billionen?|hälfte|drittel|viertel|doppelt|verdoppelt|halbiert)\b",
    re.IGNORECASE,
)
QUANTITY = re.compile(
    r"(%|€|\$|\b(prozent|prozentpunkte?|euro|dollar|mrd|mio|tonnen|kilometer|km|meter|grad|jahre?n?|monate?n?|mal|"
    r"soldaten|menschen|einwohner|todesopfer|tote)\b)",
    re.IGNORECASE,
)
SPEECH = re.compile(
    r"\b(sagte|sagt|sagten|erklärte|erklärt|betonte|betont|teilte|teilt|warnte|warnt|kündigte|bekräftigte|behauptete|behauptet|"
    r"versicherte|räumte|bestätigte|forderte|nannte|bezeichnete|sprach|zufolge|laut|äußerte|unterstrich|stellte klar|"
    r"nach angaben|so der|so die)\b"
    # Reported speech in the subjunctive: "Berlin sei bereits der größte Unterstützer".
    r"|\b(sei|seien|habe|werde|könne|müsse|wolle)\b",
    re.IGNORECASE,
)
QUOTE_MARKS = re.compile(r"[„“”\"«»‚‘]")
QUOTED = re.compile(r"[„\"«‚]([^„“”\"«»]{12,})[“”\"»‘]")
SUPERLATIVE = re.compile(
    r"\b(am|der|die|das|den|dem|des)\s+(\w+(?:ste|sten|ster|stes|stem))\b|\b(meisten|größte\w*|höchste\w*|niedrigste\w*|"
    r"wichtigste\w*|einzige\w*|erste\w*|letzte\w*|rekord\w*)\b",
    re.IGNORECASE,
)
COMPARATIVE = re.compile(r"\b(\w+er|mehr|weniger|doppelt so|halb so|so viel)\s+(als|wie)\b", re.IGNORECASE)
ABSOLUTE = re.compile(r"\b(stets|nie|niemals|immer|alle|keine?n?|sämtliche|ausnahmslos|erstmals|noch nie)\b", re.IGNORECASE)
PRONOUN_SPEAKER = re.compile(r"\b(sagte|erklärte|betonte|warnte|so)\s+(er|sie)\b", re.IGNORECASE)
CAPITALISED = re.compile(r"\b[A-ZÄÖÜ][\wäöüß-]{2,}")

FEATURES = {
    "number": (2.0, _("Zahl")),
    "quantity": (1.5, _("Mengenangabe")),
    "speech": (1.5, _("Zugeschriebene Aussage")),
    "quote": (1.5, _("Wörtliches Zitat")),
    "comparison": (1.5, _("Vergleich oder Superlativ")),
    "absolute": (1.0, _("Absolute Aussage")),
}
MIN_SCORE = 1.5
MIN_WORDS = 6


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int
    words: int
    token_classes: frozenset = frozenset()


@dataclass
class Suggestion:
    """One sentence worth checking, with why, and a guess who made the statement."""

    sentence: Sentence
    score: float
    features: list[str]
    claimant: object = None
    labels: list[str] = field(default_factory=list)
    context: list[Sentence] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.sentence.text


@lru_cache(maxsize=1)
def _tokenizer() -> SoMaJo:
    return SoMaJo("de_CMC", split_camel_case=False, split_sentences=True, character_offsets=True)


def split_sentences(text: str) -> list[Sentence]:
    """German sentences of `text` with character offsets into `text` (end exclusive).

    Lines are split separately: article exports put headlines, captions and paragraphs on
    their own lines, without a final full stop.
    """
    sentences = []
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            for tokens in _tokenizer().tokenize_text([line]):
                start, end = tokens[0].character_offset[0], tokens[-1].character_offset[1]
                classes = frozenset(token.token_class for token in tokens)
                words = sum(1 for token in tokens if token.token_class != "symbol")
                sentences.append(Sentence(text=line[start:end], start=offset + start, end=offset + end, words=words, token_classes=classes))
        offset += len(line)
    return sentences


def sentence_features(sentence: Sentence) -> list[str]:
    """Names of the `FEATURES` present in `sentence`."""
    text = sentence.text
    found = []
    if sentence.token_classes & NUMBER_CLASSES or NUMBER_WORDS.search(text):
        found.append("number")
    if QUANTITY.search(text) and ("number" in found):
        found.append("quantity")
    if SPEECH.search(text):
        found.append("speech")
    if QUOTED.search(text):
        found.append("quote")
    if SUPERLATIVE.search(text) or COMPARATIVE.search(text):
        found.append("comparison")
    if ABSOLUTE.search(text):
        found.append("absolute")
    return found


def score_sentence(sentence: Sentence, features: list[str]) -> float:
    score = sum(FEATURES[name][0] for name in features)
    text = sentence.text.rstrip()
    if text.endswith("?"):
        score -= 2.0
    if not text.endswith((".", "!", '"', "“", "»", "”")):
        score -= 1.0  # headlines, captions, datelines
    if sentence.words < MIN_WORDS:
        score -= 1.5
    return score


def suggest_sentences(text: str, *, limit: int = 15) -> list[Suggestion]:
    """The sentences of `text` most worth checking, best first (ties: order in the text)."""
    sentences = split_sentences(text)
    suggestions = []
    for index, sentence in enumerate(sentences):
        features = sentence_features(sentence)
        score = score_sentence(sentence, features)
        if score >= MIN_SCORE:
            suggestions.append(
                Suggestion(
                    sentence=sentence,
                    score=score,
                    features=features,
                    labels=[str(FEATURES[name][1]) for name in features],
                    context=sentences[max(0, index - 3) : index],
                )
            )
    suggestions.sort(key=lambda s: (-s.score, s.sentence.start))
    return suggestions[:limit]


def _name_keys(claimant) -> list[str]:
    """Strings that name `claimant` in running text: the full name, the surname, the role."""
    keys = [claimant.name]
    parts = claimant.name.split()
    if len(parts) > 1 and len(parts[-1]) >= 4:
        keys.append(parts[-1])
    # "SPD-Chef, Vizekanzler und Bundesfinanzminister": each function names the person.
    keys += [part.strip() for part in re.split(r",| und ", claimant.role or "") if len(part.strip()) >= 6]
    return keys


def _mentions(text: str, key: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text) is not None


def guess_claimants(suggestions: list[Suggestion]) -> None:
    """Set `claimant` on each suggestion: a known claimant named in the sentence, or, for
    "sagte er"-style sentences, in the three sentences before it. One query for all."""
    from claims.models import Claimant

    words = set()
    for suggestion in suggestions:
        for sentence in [suggestion.sentence, *suggestion.context]:
            words.update(CAPITALISED.findall(sentence.text))
    words = {word for word in words if len(word) >= 4}
    if not words:
        return
    pattern = "(" + "|".join(re.escape(word) for word in sorted(words)) + ")"
    condition = Q(name__iregex=pattern) | Q(role__iregex=pattern)
    claimants = list(Claimant.objects.filter(condition)[:200])
    for suggestion in suggestions:
        scopes = [suggestion.sentence.text]
        if PRONOUN_SPEAKER.search(suggestion.sentence.text) or "speech" in suggestion.features or "quote" in suggestion.features:
            scopes += [sentence.text for sentence in reversed(suggestion.context)]
        for scope in scopes:
            named = [c for c in claimants if any(_mentions(scope, key) for key in _name_keys(c))]
            if named:
                # The longest name that matches is the most specific ("Wladimir Putin" over "Putin").
                suggestion.claimant = max(named, key=lambda c: max(len(k) for k in _name_keys(c) if _mentions(scope, k)))
                break


def suggest_for_source(source, *, limit: int = 15) -> list[Suggestion]:
    """Check-worthy sentences of an archived article, each with a claimant guess."""
    suggestions = suggest_sentences(source.body, limit=limit)
    guess_claimants(suggestions)
    return suggestions


def short_claim_text(sentence: str, max_length: int) -> str:
    """A first draft of the short claim text: the sentence without quote marks, cut at a word."""
    text = QUOTE_MARKS.sub("", sentence).strip().rstrip(".")
    if len(text) <= max_length:
        return text
    cut = text[: max_length - 1].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return cut + "…"
