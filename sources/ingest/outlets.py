"""Recognising the outlet of an imported article from its URL and its own metadata."""

from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from ..models import Outlet


def outlet_domain(url: str) -> str:
    """The host of `url` in the form `Outlet.domain` uses: lower case, without "www."."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _parent_domains(host: str) -> list[str]:
    """`politik.zeitung.example` → [`politik.zeitung.example`, `zeitung.example`]."""
    labels = host.split(".")
    return [".".join(labels[index:]) for index in range(len(labels) - 1)]


def find_outlet(*, url: str = "", site_name: str = "") -> Outlet | None:
    """The outlet whose domain serves `url`, else the one named `site_name`.

    When the page names its site and nothing matches, the outlet is created with the
    page's domain, so the next article from it is recognised by URL.
    """
    host = outlet_domain(url)
    if host:
        candidates = _parent_domains(host)
        by_domain = {outlet.domain: outlet for outlet in Outlet.objects.filter(domain__in=candidates)}
        for domain in candidates:
            if domain in by_domain:
                return by_domain[domain]
    site_name = " ".join(site_name.split())[:200]
    if not site_name:
        return None
    outlet = Outlet.objects.filter(name__iexact=site_name).first()
    # A host longer than a domain may be (possible in URLs) names no outlet we could store.
    if outlet or not host or len(host) > Outlet._meta.get_field("domain").max_length:
        return outlet
    try:
        with transaction.atomic():
            return Outlet.objects.create(name=site_name, domain=host)
    except IntegrityError:
        return Outlet.objects.filter(name__iexact=site_name).first()
