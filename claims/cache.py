"""Shared page cache for anonymous readers, and the HTTP caching headers a CDN can honour.

Rendered public pages and API reads are stored in the default cache (Redis when `REDIS_URL`
is set, so every web worker on every machine shares them) together with the *generation*
number they were rendered in; one round trip reads the entry and the current generation.
Publishing, correcting or withdrawing a claim – any change to public content – increments
that number once the transaction commits, so all workers stop using the old entries at the
same moment; they are overwritten or expire. A claim scheduled for the
future bumps the generation when it falls due, without a cron job. Each worker also keeps
the pages it served lately (`RecentPages`) and serves them without a round trip for up to
`PUBLIC_FRESHNESS_SECONDS` after it last read the generation.

Only anonymous GET/HEAD requests are cached; editors (logged in) always get a fresh page,
and staff previews of unpublished claims are never stored. Responses name their content in
`Surrogate-Key` / `Cache-Tag` headers so a CDN can purge them (see README, "Scaling out").
"""

import functools
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

from config.db_router import pin_all_reads

logger = logging.getLogger(__name__)

GENERATION_KEY = "pages:generation"
NEXT_DUE_KEY = "pages:next-due"
# Every public response carries this key: purging it at the CDN drops all public content.
SURROGATE_KEY_ALL = "fc-public"
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"\x00csrf-token\x00"
STORED_STATUS = 200


def page_cache_enabled() -> bool:
    return settings.PUBLIC_PAGE_CACHE_SECONDS > 0


def _store_next_due() -> None:
    """Remember when the next scheduled claim becomes public (0: none scheduled)."""
    from .choices import ClaimStatus
    from .models import Claim

    due = Claim.objects.filter(status=ClaimStatus.PUBLISHED, published_at__gt=timezone.now()).aggregate(due=Min("published_at"))["due"]
    cache.set(NEXT_DUE_KEY, due.timestamp() if due else 0, timeout=None)


def current_generation(values: dict | None = None) -> int:
    """The generation stored pages must carry to be served (shared by all workers).

    `values` may hold the generation and next-due entries already read from the cache."""
    if values is None:
        values = cache.get_many([GENERATION_KEY, NEXT_DUE_KEY])
    generation = values.get(GENERATION_KEY)
    if generation is None:
        # First use or the key was evicted: start from the clock (ms) so no number from before
        # comes back while pages stored under it might still exist.
        cache.add(GENERATION_KEY, time.time_ns() // 1_000_000, timeout=None)
        generation = cache.get(GENERATION_KEY)
        _store_next_due()
        return generation
    due = values.get(NEXT_DUE_KEY)
    if due is None:
        _store_next_due()
    elif due and due <= time.time():
        generation = invalidate_public_pages()
    return generation


def invalidate_public_pages() -> int:
    """Start a new generation: every worker renders public pages afresh from now on."""
    try:
        generation = cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, time.time_ns() // 1_000_000, timeout=None)
        generation = cache.incr(GENERATION_KEY)
    _store_next_due()
    return generation


def count_up_public_revision() -> None:
    """Count the public content's revision up (`PublicRevision`, the validators' part that every change moves)."""
    from .models import PublicRevision

    connection = connections[router.db_for_write(PublicRevision)]
    table = connection.ops.quote_name(PublicRevision._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, number, changed_at) VALUES (1, 1, statement_timestamp()) "
            f"ON CONFLICT (id) DO UPDATE SET number = {table}.number + 1, changed_at = EXCLUDED.changed_at"
        )


# Per thread (as Django's connections): the invalidation waiting for the current commit.
_waiting = threading.local()


def invalidate_after_commit() -> None:
    """Invalidate once the current transaction has committed (readers must see the new data).

    Once per commit: an admin save with its inlines sends a signal for every row. Each signal
    still registers a callback, so none is lost when a savepoint rolls back; the callbacks of
    one commit share a batch, and the first of them to run does the work.
    """
    batch = getattr(_waiting, "batch", None)
    if batch is None or batch["done"]:
        batch = _waiting.batch = {"done": False}
    transaction.on_commit(functools.partial(_invalidate_batch, batch))


def _invalidate_batch(batch: dict) -> None:
    if batch["done"]:
        return
    batch["done"] = True
    _invalidate_now()


def _invalidate_now() -> None:
    from .freshness import forget_site_version

    # Replicas may be milliseconds behind: reads go to the primary before any page can be refilled.
    pin_all_reads()
    try:
        # After the commit: whoever reads the new revision reads the new content too.
        count_up_public_revision()
    except Exception:  # the change is committed; it must not turn into an error
        logger.exception("Could not count up the public revision.")
    forget_site_version()
    recent_pages.forget()
    try:
        invalidate_public_pages()
    except Exception:  # the change is committed; a cache outage must not turn it into an error
        logger.exception("Could not invalidate the shared page cache.")


def _on_change(sender, instance=None, **kwargs):
    from .choices import ClaimStatus
    from .models import Claim

    # Drafts and claims in review are not public: editing them leaves public pages as they are.
    if isinstance(instance, Claim) and instance.status not in (ClaimStatus.PUBLISHED, ClaimStatus.WITHDRAWN):
        return
    invalidate_after_commit()


def connect_signals() -> None:
    """Signals are used only here, and only to invalidate cached public content."""
    from sources.models import Outlet, Source

    from .models import Appearance, Claim, Claimant, Correction, Rating, RatingScale, Topic

    for model in (Claim, Appearance, Correction, Claimant, Rating, RatingScale, Topic, Source, Outlet):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"page-cache-save-{model._meta.label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"page-cache-delete-{model._meta.label}")
    m2m_changed.connect(_on_change, sender=Claim.topics.through, dispatch_uid="page-cache-claim-topics")


def is_cacheable_request(request) -> bool:
    return (
        page_cache_enabled()
        and request.method in ("GET", "HEAD")
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def _credentials(request) -> str:
    custom_header = getattr(settings, "API_KEY_CUSTOM_HEADER", None)
    return request.META.get("HTTP_AUTHORIZATION", "") + "|" + (request.META.get(custom_header, "") if custom_header else "")


def page_cache_key(request, language: str | None = None) -> str:
    """Key of one public response: full URL, language and API credentials."""
    audience = hashlib.sha256(_credentials(request).encode()).hexdigest()[:16]
    raw = f"{request.build_absolute_uri()}|{language or translation.get_language()}|{audience}"
    return f"pages:{hashlib.sha256(raw.encode()).hexdigest()}"


@dataclass(frozen=True)
class Stored:
    content: bytes
    headers: dict

    @property
    def needs_csrf_token(self) -> bool:
        return CSRF_PLACEHOLDER in self.content

    def response(self, request) -> "CachedResponse":
        """The stored response for `request`, with its own CSRF token where the page has a form."""
        content = self.content
        if self.needs_csrf_token:
            content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        response = CachedResponse(content, status=STORED_STATUS, headers=self.headers)
        response["X-Page-Cache"] = "hit"
        return response


class RecentPages:
    """The pages this worker served from the shared cache lately, and the generation it read last.

    For `PUBLIC_FRESHNESS_SECONDS` after reading the generation, a page this worker already
    holds for it is served without a round trip to the shared cache. That is the bound the
    site version behind ETags keeps, too: a worker that commits a change forgets both at once
    (`invalidate_after_commit`); the others follow within that time. At most
    `PUBLIC_RECENT_PAGES` pages are held per worker, the least recently served dropped first.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._pages: OrderedDict[str, tuple[int, Stored]] = OrderedDict()
        self._generation: int | None = None
        self._expires = 0.0

    def get(self, key: str) -> tuple[int, Stored] | None:
        """`(generation, page)` while the generation read last is recent and the page was stored in it."""
        if settings.PUBLIC_FRESHNESS_SECONDS <= 0:
            return None
        with self._lock:
            if self._generation is None or self._expires <= time.monotonic():
                return None
            found = self._pages.get(key)
            if found is None or found[0] != self._generation:
                return None
            self._pages.move_to_end(key)
            return found

    def remember(self, generation: int, key: str | None = None, page: Stored | None = None) -> None:
        """The generation just read from the shared cache, and the page found with it (if any)."""
        seconds, size = settings.PUBLIC_FRESHNESS_SECONDS, settings.PUBLIC_RECENT_PAGES
        if seconds <= 0 or size <= 0:
            return
        with self._lock:
            if generation != self._generation:
                self._pages.clear()
            self._generation, self._expires = generation, time.monotonic() + seconds
            if page is not None:
                self._pages[key] = (generation, page)
                self._pages.move_to_end(key)
                while len(self._pages) > size:
                    self._pages.popitem(last=False)

    def forget(self) -> None:
        with self._lock:
            self._pages.clear()
            self._generation, self._expires = None, 0.0


recent_pages = RecentPages()


def lookup(request, language: str | None = None) -> tuple[str, int, Stored | None]:
    """`(key, generation, stored response or None)`: from this worker's recent pages, or in
    one round trip to the shared cache.

    An entry is stored with the generation it was rendered in and counts only in that one."""
    key = page_cache_key(request, language)
    if (recent := recent_pages.get(key)) is not None:
        return key, *recent
    values = cache.get_many([GENERATION_KEY, NEXT_DUE_KEY, key])
    generation = current_generation(values)
    entry = values.get(key)
    if entry is not None and entry[0] == generation:
        stored = Stored(*entry[1:])
        recent_pages.remember(generation, key, stored)
        return key, generation, stored
    recent_pages.remember(generation)
    return key, generation, None


def _storable(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == STORED_STATUS
        and not response.cookies
        and not getattr(response, "streaming", False)
        # Staff previews are marked no-store; partner API answers are private but may be
        # kept here, under a key that contains their credentials.
        and "no-store" not in cache_control
    )


class CachedResponse(HttpResponse):
    """A stored response; already rendered, so code that renders responses may pass it through."""

    is_rendered = True

    def render(self):
        return self


def serve_cached(request, produce):
    """Answer `request` from the shared page cache, or call `produce()` and store its response.

    A CSRF token in a stored page is replaced by a placeholder and filled in per request,
    so a form on a cached page still works for every reader.
    """
    if not is_cacheable_request(request):
        return produce()
    try:
        key, generation, stored = lookup(request)
    except Exception:  # an unreachable cache only costs speed
        logger.exception("Shared page cache unreachable.")
        return produce()
    if stored is not None:
        return stored.response(request)

    response = produce()

    def store(rendered):
        if not _storable(rendered):
            return
        # A public page's validators name the site version read before rendering: if content
        # changed meanwhile, they may not describe this content, and a stored copy would answer
        # revalidations for minutes.
        from .freshness import site_version

        version = getattr(request, "public_site_version", None)
        if version is not None and site_version(fresh=True) != version:
            return
        content = CSRF_FIELD.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", rendered.content)
        headers = {name: value for name, value in rendered.items() if name.lower() != "x-page-cache"}
        try:
            cache.set(key, (generation, content, headers), timeout=settings.PUBLIC_PAGE_CACHE_SECONDS)
        except Exception:
            logger.exception("Shared page cache unreachable.")

    response["X-Page-Cache"] = "miss"
    if request.method != "GET":
        return response
    if hasattr(response, "add_post_render_callback") and not response.is_rendered:
        response.add_post_render_callback(store)
    else:
        store(response)
    return response


def add_public_cache_headers(response, keys) -> None:
    """Cache-Control for browsers and CDNs, plus the surrogate keys a CDN purges by."""
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE, s_maxage=settings.CDN_MAX_AGE)
    keys = [SURROGATE_KEY_ALL, *keys]
    response["Surrogate-Key"] = " ".join(keys)
    response["Cache-Tag"] = ",".join(keys)


def surrogate_key(obj) -> str:
    return surrogate_key_of(type(obj), obj.pk)


def surrogate_key_of(model, pk) -> str:
    return f"{model._meta.model_name}-{pk}"


class PublicCacheMixin:
    """For public class-based views: shared page cache for anonymous readers, CDN headers;
    staff previews of unpublished claims are never cached anywhere."""

    def dispatch(self, request, *args, **kwargs):
        return serve_cached(request, lambda: super(PublicCacheMixin, self).dispatch(request, *args, **kwargs))

    def surrogate_keys(self, context) -> list[str]:
        obj = context.get("object")
        if obj is not None:
            return [surrogate_key(obj)]
        model = getattr(getattr(self, "object_list", None), "model", None)
        return [f"{model._meta.model_name}-list"] if model else []

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if context.get("is_preview"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private"
        elif not self.request.user.is_authenticated:
            add_public_cache_headers(response, self.surrogate_keys(context))
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response


def cache_public_page(view):
    """The same for function views and feeds: `path("feed/", cache_public_page(Feed()))`."""

    def produce(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if not request.user.is_authenticated and response.status_code == STORED_STATUS and not response.has_header("Cache-Control"):
            add_public_cache_headers(response, [])
        return response

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return serve_cached(request, lambda: produce(request, *args, **kwargs))

    return wrapped


def _cached_handler(handler):
    @functools.wraps(handler)
    def cached(self, request, *args, **kwargs):
        return serve_cached(request, lambda: handler(self, request, *args, **kwargs))

    cached.page_cached = True
    return cached


class CachedReadMixin:
    """For read-only API viewsets: cached `list`/`retrieve` after authentication, permission
    and throttling have run. Responses to requests without credentials may be cached by a
    CDN; partner responses (Authorization header) are cached only inside the application."""

    def __init_subclass__(cls, **kwargs):
        # Wrap only the read actions the viewset has, so no route is added by this mixin.
        super().__init_subclass__(**kwargs)
        for name in ("list", "retrieve"):
            handler = getattr(cls, name, None)
            if handler is not None and not getattr(handler, "page_cached", False):
                setattr(cls, name, _cached_handler(handler))

    # The surrogate key of the object a detail read returns (`claim-12`); lists name their model.
    surrogate_object_key = None

    def get_object(self):
        obj = super().get_object()
        self.surrogate_object_key = surrogate_key(obj)
        return obj

    def _list_surrogate_key(self) -> str:
        # A viewset lists one model whoever asks: its queryset is built once per class for the name.
        cls = type(self)
        if "_list_key" not in cls.__dict__:
            cls._list_key = f"{self.get_queryset().model._meta.model_name}-list"
        return cls._list_key

    def finalize_response(self, request, response, *args, **kwargs):
        # Headers go on before rendering: the page cache stores the response as rendered.
        if request.method in ("GET", "HEAD") and response.status_code == STORED_STATUS and not isinstance(response, CachedResponse):
            if request.user.is_authenticated or _credentials(request) != "|":
                patch_cache_control(response, private=True, max_age=0)
            else:
                key = self.surrogate_object_key or self._list_surrogate_key()
                add_public_cache_headers(response, [key])
        return super().finalize_response(request, response, *args, **kwargs)
