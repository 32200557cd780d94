"""Storing parsed articles as immutable, hashed `Source` versions."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..choices import Language
from ..models import Outlet, Source, content_hash
from .base import IngestError, ParsedArticle


@dataclass
class ImportResult:
    source: Source
    created: bool


def store_article(
    *, article: ParsedArticle, raw: bytes, content_type: str, url: str = "", outlet: Outlet | None = None, language: str = ""
) -> ImportResult:
    """Store a parsed article once: the same text (by SHA-256) is never stored twice.

    A changed article at a URL that is already archived becomes a new version linked to
    the previous one; appearances keep pointing at the version they quote.
    """
    digest = content_hash(article.body)
    existing = Source.objects.filter(content_hash=digest).first()
    if existing:
        return ImportResult(existing, created=False)
    language = language or article.language
    if language not in Language.values:
        language = Language.GERMAN
    try:
        with transaction.atomic():
            previous = None
            if url:
                previous = Source.objects.select_for_update().filter(url=url, is_latest=True).first()
                if previous:
                    previous.is_latest = False
                    previous.save(update_fields=["is_latest"])
            source = Source(
                title=article.title[:500],
                url=url,
                outlet=outlet,
                agency=article.agency[:100],
                author=article.author[:300],
                published_at=article.published_at,
                language=language,
                teaser=article.teaser,
                body=article.body,
                raw=raw,
                raw_content_type=content_type[:100],
                previous_version=previous,
            )
            source.full_clean(exclude=["slug", "content_hash", "raw", "raw_hash"])
            source.save()
    except IntegrityError as error:
        # A concurrent import stored the same text (or a new version of the same URL) first.
        existing = Source.objects.filter(content_hash=digest).first()
        if existing:
            return ImportResult(existing, created=False)
        raise IngestError(_("Der Artikel wurde gerade gleichzeitig importiert. Bitte noch einmal versuchen.")) from error
    return ImportResult(source, created=True)
