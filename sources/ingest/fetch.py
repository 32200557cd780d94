"""Fetching article and feed URLs without letting a URL reach into our own network.

Every connection resolves the host itself and connects only to the addresses it checked,
so a host that resolves to a loopback, private, link-local, multicast or reserved address
is refused at connect time — also after a redirect and also when DNS answers change between
check and use. `settings.SOURCE_FETCH_ALLOW_PRIVATE` lifts that for development and tests.
Downloads are limited in time (`SOURCE_FETCH_TIMEOUT` for connecting, each read and the
whole transfer), size (`SOURCE_FETCH_MAX_BYTES`), content type and number of redirects.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NameResolutionError, NewConnectionError
from urllib3.exceptions import TimeoutError as TransferTimeout
from urllib3.util import connection as connection_util

from .base import IngestError

MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
ACCEPT = "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, application/xml;q=0.9, text/plain;q=0.8"
# Content types we can turn into articles or feeds; anything else is refused before download.
FETCHABLE_TYPES = {
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
}


class FetchError(IngestError):
    """The URL could not be fetched; the message says why."""


class BlockedAddress(NewConnectionError):
    """The host resolves only to addresses we may not connect to."""


def parse_content_type(header: str) -> tuple[str, str]:
    """`text/html; charset="ISO-8859-1"` → ("text/html", "iso-8859-1")."""
    mime, *parameters = (header or "").split(";")
    charset = ""
    for parameter in parameters:
        name, _sep, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    return mime.strip().lower(), charset


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    data: bytes
    content_type: str  # the full header value, e.g. "text/html; charset=iso-8859-1"

    @property
    def mime_type(self) -> str:
        return parse_content_type(self.content_type)[0]

    @property
    def charset(self) -> str:
        return parse_content_type(self.content_type)[1]


def address_allowed(address: str) -> bool:
    """May we connect to this IP address? Only globally routable unicast, unless configured."""
    if settings.SOURCE_FETCH_ALLOW_PRIVATE:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback or ip.is_link_local)


class _CheckedConnectionMixin:
    def _new_conn(self) -> socket.socket:
        try:
            infos = socket.getaddrinfo(self._dns_host, self.port, connection_util.allowed_gai_family(), socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        addresses = [info[4][0] for info in infos if address_allowed(info[4][0])]
        if not addresses:
            raise BlockedAddress(self, f"{self.host} resolves only to addresses that may not be fetched")
        last_error: OSError | None = None
        for address in addresses:
            try:
                return connection_util.create_connection(
                    (address, self.port), self.timeout, source_address=self.source_address, socket_options=self.socket_options
                )
            except TimeoutError as error:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from error
            except OSError as error:
                last_error = error
        raise NewConnectionError(self, f"Failed to establish a new connection: {last_error}")


class _CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


_manager: urllib3.PoolManager | None = None


def _pool_manager() -> urllib3.PoolManager:
    global _manager
    if _manager is None:
        manager = urllib3.PoolManager(num_pools=20, maxsize=4, block=False)
        manager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}
        _manager = manager
    return _manager


def validate_url(url: str) -> str:
    """Refuse URLs we will not fetch: other schemes, credentials, missing host, too long."""
    url = (url or "").strip()
    if len(url) > 1000:
        raise FetchError(_("Die URL ist zu lang (höchstens 1000 Zeichen)."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError(_("Die URL „%(url)s“ ist ungültig.") % {"url": url[:200]}) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(_("Nur http- und https-Adressen können importiert werden: „%(url)s“.") % {"url": url[:200]})
    if parts.username or parts.password:
        raise FetchError(_("URLs mit Zugangsdaten werden nicht abgerufen."))
    if port == 0:
        raise FetchError(_("Die URL „%(url)s“ ist ungültig.") % {"url": url[:200]})
    return parts._replace(fragment="").geturl()


def fetch(url: str) -> Fetched:
    """Download `url` within the configured limits; raises `FetchError` with a readable reason."""
    url = validate_url(url)
    limit = settings.SOURCE_FETCH_MAX_BYTES
    budget = settings.SOURCE_FETCH_TIMEOUT
    deadline = time.monotonic() + budget
    for _hop in range(MAX_REDIRECTS + 1):
        host = urlsplit(url).hostname
        try:
            response = _pool_manager().request(
                "GET",
                url,
                headers={
                    "User-Agent": f"Faktencheck-Archiv/1.0 (+{settings.SITE_URL})",
                    "Accept": ACCEPT,
                    "Accept-Encoding": "gzip, deflate",
                },
                redirect=False,
                retries=False,
                preload_content=False,
                timeout=urllib3.Timeout(connect=budget, read=budget),
            )
        except BlockedAddress as error:
            raise FetchError(
                _("„%(host)s“ liegt in einem internen oder reservierten Netz und wird nicht abgerufen.") % {"host": host}
            ) from error
        except NameResolutionError as error:
            raise FetchError(_("Der Server „%(host)s“ wurde nicht gefunden.") % {"host": host}) from error
        except NewConnectionError as error:
            raise FetchError(_("„%(host)s“ ist nicht erreichbar.") % {"host": host}) from error
        except (TransferTimeout, TimeoutError) as error:
            raise FetchError(_("Zeitüberschreitung beim Abruf von „%(host)s“.") % {"host": host}) from error
        except (HTTPError, OSError) as error:
            raise FetchError(_("„%(host)s“ ist nicht erreichbar.") % {"host": host}) from error
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location", "")
                if not location:
                    raise FetchError(_("Der Server leitet weiter, ohne ein Ziel zu nennen."))
                url = validate_url(urljoin(url, location))
                continue
            if response.status != 200:
                raise FetchError(_("Der Server antwortete mit Status %(status)s.") % {"status": response.status})
            content_type = response.headers.get("Content-Type", "")
            mime_type = parse_content_type(content_type)[0]
            if mime_type not in FETCHABLE_TYPES:
                raise FetchError(
                    _("Inhalte vom Typ „%(type)s“ können nicht importiert werden (nur HTML, Text und RSS/Atom).")
                    % {"type": mime_type or _("unbekannt")}
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > limit:
                raise _too_large(limit)
            return Fetched(url=url, data=_read_limited(response, limit, deadline, host), content_type=content_type)
        finally:
            # Never hand a half-read connection back to the pool.
            response.close()
            response.release_conn()
    raise FetchError(_("Zu viele Weiterleitungen (höchstens %(max)s).") % {"max": MAX_REDIRECTS})


def _too_large(limit: int) -> FetchError:
    return FetchError(_("Die Seite ist zu groß (höchstens %(max)s MB).") % {"max": round(limit / (1024 * 1024), 1)})


def _read_limited(response, limit: int, deadline: float, host: str) -> bytes:
    chunks, size = [], 0
    try:
        # read1 returns what has arrived, so a server dripping bytes still meets the deadline.
        while chunk := response.read1(CHUNK_BYTES, decode_content=True):
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            if time.monotonic() > deadline:
                raise FetchError(_("Zeitüberschreitung beim Abruf von „%(host)s“.") % {"host": host})
            chunks.append(chunk)
    except (TransferTimeout, TimeoutError) as error:
        raise FetchError(_("Zeitüberschreitung beim Abruf von „%(host)s“.") % {"host": host}) from error
    except HTTPError as error:
        raise FetchError(_("Die Antwort von „%(host)s“ ist beschädigt.") % {"host": host}) from error
    return b"".join(chunks)
