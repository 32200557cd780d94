"""A real HTTP server on 127.0.0.1 for the URL and feed importers."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait between chunks of the body
    chunks: int = 1
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.requests.append(self.path)
        route = self.server.routes.get(self.path)
        if route is None:
            route = Route(body=b"nicht gefunden", content_type="text/plain", status=404)
        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.send_length:
            self.send_header("Content-Length", str(len(route.body)))
        else:
            self.close_connection = True
        self.end_headers()
        size = max(1, len(route.body) // route.chunks)
        try:
            for start in range(0, len(route.body), size):
                if route.delay:
                    time.sleep(route.delay)
                self.wfile.write(route.body[start : start + size])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


class LocalWeb:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.routes = {}
        self.server.requests = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def routes(self) -> dict:
        return self.server.routes

    @property
    def requests(self) -> list:
        return self.server.requests

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def serve(self, path: str, body: bytes | str = b"", **options) -> str:
        self.routes[path] = Route(body=body.encode() if isinstance(body, str) else body, **options)
        return self.url(path)

    def serve_fixture(self, path: str, name: str, **options) -> str:
        return self.serve(path, (FIXTURES / name).read_bytes(), **options)


@pytest.fixture
def web():
    """A local web server; fetching from it needs SOURCE_FETCH_ALLOW_PRIVATE (see `allow_private`)."""
    local = LocalWeb()
    local.thread.start()
    yield local
    local.server.shutdown()
    local.server.server_close()


@pytest.fixture
def allow_private(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    return settings


@pytest.fixture
def fixture_bytes():
    return lambda name: (FIXTURES / name).read_bytes()
