"""URLs that every page prints, reversed once per URL configuration and script prefix.

Reversing a URL walks the URL patterns each time; a claim page links its sources, claimant,
related claims and the layout's fixed pages, a few dozen URLs. The pattern of each is the
same on every page: only the slug changes.
"""

import functools
import re

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

# What the `slug` path converter accepts: characters a URL holds as they are.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_STAND_IN = "--slug--"


def fixed_url(name: str) -> str:
    """`reverse(name)` for a URL without arguments."""
    return _fixed_url(name, get_resolver(get_urlconf()), get_script_prefix())


def around_slug(name: str) -> tuple[str, str]:
    """What the URL `name` has before and after its slug (`reverse(name, kwargs={"slug": …})`)."""
    return _around_slug(name, get_resolver(get_urlconf()), get_script_prefix())


def slug_url(name: str, slug: str) -> str:
    """`reverse(name, kwargs={"slug": slug})`."""
    if not _SLUG.fullmatch(slug):
        return reverse(name, kwargs={"slug": slug})  # which refuses it
    before, after = around_slug(name)
    return f"{before}{slug}{after}"


# The resolver is replaced when the URL configuration changes (tests that override it).
@functools.lru_cache(maxsize=128)
def _fixed_url(name: str, resolver, script_prefix: str) -> str:
    return reverse(name)


@functools.lru_cache(maxsize=128)
def _around_slug(name: str, resolver, script_prefix: str) -> tuple[str, str]:
    before, _, after = reverse(name, kwargs={"slug": _STAND_IN}).partition(_STAND_IN)
    return before, after
