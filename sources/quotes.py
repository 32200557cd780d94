"""Anchoring quotes in article text.

Editors copy quotes from browsers, PDFs and e-mails: line breaks, non-breaking spaces and
typographic quote marks („…“, «…», "…") differ from the stored article. Matching ignores
those differences and reports character offsets into the *original* text.
"""

import re
from dataclasses import dataclass

# Every quotation mark and apostrophe maps to one neutral character.
QUOTE_MARKS = "\"'„“”‚‘’«»‹›`´"
_QUOTE_TABLE = {ord(mark): '"' for mark in QUOTE_MARKS}
_DASHES = {ord(d): "-" for d in "‐‑‒–—―−"}
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int


def _normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text plus, for every normalised character, its index in `text`."""
    out: list[str] = []
    positions: list[int] = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not in_space and out:
                out.append(" ")
                positions.append(index)
            in_space = True
            continue
        in_space = False
        char = char.translate(_QUOTE_TABLE).translate(_DASHES)
        out.append(char)
        positions.append(index)
    if out and out[-1] == " ":
        out.pop()
        positions.pop()
    return "".join(out), positions


def normalise_quote(quote: str) -> str:
    return _normalise(quote)[0].strip(' "')


def find_quote(text: str, quote: str) -> Anchor | None:
    """Locate `quote` in `text`, insensitive to whitespace and quotation-mark style.

    Enclosing quotation marks of the quote itself are ignored. Returns offsets into
    `text` (end exclusive) of the first occurrence, or None.
    """
    needle = normalise_quote(quote)
    if not needle:
        return None
    haystack, positions = _normalise(text)
    found = haystack.find(needle)
    if found < 0:
        return None
    return Anchor(start=positions[found], end=positions[found + len(needle) - 1] + 1)
