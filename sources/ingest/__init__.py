"""Importing articles into the archive: plain text, HTML pages and RSS/Atom feeds.

`import_source` is the one entry point (admin, `import_sources`, API). Every stored
article is an immutable, hashed snapshot: raw bytes plus extracted text.
"""

from .base import IngestError, ParsedArticle
from .fetch import FetchError, fetch
from .html import decode_html, parse_html
from .service import ImportFailure, ImportReport, detect_format, import_document, import_source, import_text
from .store import ImportResult, store_article
from .text import decode_text, parse_text

__all__ = [
    "FetchError",
    "ImportFailure",
    "ImportReport",
    "ImportResult",
    "IngestError",
    "ParsedArticle",
    "decode_html",
    "decode_text",
    "detect_format",
    "fetch",
    "import_document",
    "import_source",
    "import_text",
    "parse_html",
    "parse_text",
    "store_article",
]
