"""Web addresses from German text."""

from django.utils.text import slugify

# German spells umlauts and ß out when they cannot be written: "könnten" → "koennten", not
# "konnten" (a different word), as the seed claims' addresses do ("groesster").
SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"})


def german_slugify(text: str) -> str:
    return slugify(text.translate(SPELLED_OUT))
