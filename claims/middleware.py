"""Answers for anonymous readers that need neither sessions, CSRF, authentication nor a view.

A reader without a session cookie or API credentials is anonymous. For such a GET/HEAD of a
public page (a view with `PublicPageMixin`; not the API, whose throttles must run) this
middleware, placed before `SessionMiddleware` and `LocaleMiddleware` (it picks the language
the same way; the language is part of every key and validator), serves

* the page stored in the shared page cache (`claims/cache.py`) for the current generation,
  as `304 Not Modified` when the reader's copy carries its validators, and
* `304 Not Modified` for a public page when the reader's `ETag` / `Last-Modified` still
  match the site version (`claims/freshness.py`).

Both decisions are the ones the views make; the views still make them for every request that
gets past this point (readers with a session cookie, a changed page, a cache miss). Pages
whose stored copy holds a CSRF placeholder go the long way, where the token is filled in.
"""

import functools

from django.conf import settings
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from . import cache as page_cache
from .freshness import is_conditional, not_modified


def is_anonymous_reader(request) -> bool:
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and page_cache._credentials(request) == "|"
    )


def stored_page(request, language: str):
    """The stored public page for `request` (or its 304), or None."""
    if not page_cache.page_cache_enabled():
        return None
    try:
        stored = page_cache.lookup(request, language)[2]
    except Exception:  # an unreachable cache only costs speed; the view logs it
        return None
    if stored is None or stored.needs_csrf_token:
        return None
    response = stored.response(request)
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    return get_conditional_response(request, etag=response.get("ETag"), last_modified=last_modified, response=response)


def is_public_page(request) -> bool:
    return _is_public_path(request.path_info, get_urlconf())


@functools.lru_cache(maxsize=4096)
def _is_public_path(path: str, urlconf) -> bool:
    """Whether `path` is served by a public page view (remembered: the URLconf is fixed at start)."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return False
    return getattr(getattr(match.func, "view_class", None), "answered_early", False)


class EarlyPublicResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_anonymous_reader(request) and is_public_page(request):
            language = translation.get_language_from_request(request)
            response = stored_page(request, language)
            if response is None and is_conditional(request):
                response = not_modified(request, language)
            if response is not None:
                # What LocaleMiddleware would add; Vary came with the page.
                response.headers.setdefault("Content-Language", language)
                return response
        return self.get_response(request)
