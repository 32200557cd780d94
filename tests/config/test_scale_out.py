"""Scale-out on one machine, for real: a PostgreSQL primary, a streaming replica made with
`pg_basebackup -R`, Redis on loopback and two gunicorn instances sharing them.

The instances run with DATABASE_ROUTING_DEBUG_HEADER, so every response names the databases
its reads went to; the replica's pg_stat_activity confirms it independently.
"""

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None, key=lambda p: int(p.parent.name))
PASSWORD = "skalierung-test-passwort-42"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(PG_BIN is None or shutil.which("redis-server") is None, reason="needs PostgreSQL server binaries and redis-server"),
]

SETUP_DATA = """
from claims import roles
from claims.choices import ClaimStatus
from django.contrib.auth.models import Group
from tests.factories import ClaimFactory, UserFactory

def member(name, group):
    user = UserFactory(username=name, is_staff=True, password=PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    return user

reporter, editor, publisher = member("reporter", roles.REPORTER), member("editor", roles.EDITOR), member("cvd", roles.PUBLISHER)
ClaimFactory(text="SKALIERT-OEFFENTLICH")
claim = ClaimFactory(text="SKALIERT-NEU", status=ClaimStatus.IN_REVIEW, published_at=None, author=reporter, approved_by=editor)
print(claim.pk)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(*command, **kwargs):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *map(str, command)], check=True, capture_output=True, text=True, timeout=60, **kwargs)


class Stack:
    def __init__(self, base: Path):
        self.base = base
        self.primary, self.replica = base / "primary", base / "replica"
        self.primary_port, self.replica_port = 5433, 5434
        self.processes: dict[str, subprocess.Popen] = {}
        self.secret_key = secrets.token_hex(32)  # the same for every instance, or sessions break

    def url(self, port: int, app: str = "") -> str:
        query = f"?application_name={app}" if app else ""
        return f"postgres://postgres@{quote(str(self.base), safe='')}:{port}/faktencheck{query}"

    def psql(self, port: int, sql: str, database: str = "faktencheck") -> str:
        result = subprocess.run(
            ["psql", "-h", str(self.base), "-p", str(port), "-U", "postgres", "-d", database, "-tAc", sql],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return result.stdout.strip()

    def start_server(self, data: Path, port: int) -> None:
        options = f"-c listen_addresses='' -k {self.base} -p {port} -c fsync=off -c wal_level=replica -c max_wal_senders=4"
        as_postgres(PG_BIN / "pg_ctl", "-D", data, "-l", f"{data}.log", "-w", "-o", options, "start")

    def stop_replica(self) -> None:
        as_postgres(PG_BIN / "pg_ctl", "-D", self.replica, "-w", "-m", "fast", "stop")

    def start_replica(self) -> None:
        self.start_server(self.replica, self.replica_port)

    def wait_for_replay(self) -> None:
        target = self.psql(self.primary_port, "SELECT pg_current_wal_lsn()")
        for _ in range(200):
            if self.psql(self.replica_port, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t":
                return
            time.sleep(0.05)
        raise AssertionError("replica did not catch up")

    def env(self, **extra) -> dict:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=self.secret_key,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE_SSL_REDIRECT="false",
            DATABASE_URL=self.url(self.primary_port),
            PYTHONDONTWRITEBYTECODE="1",
            **extra,
        )
        return env

    def manage(self, *args, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), input=stdin, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start_web(self, name: str, **overrides) -> int:
        port = free_port()
        settings = {
            "DATABASE_REPLICA_URLS": self.url(self.replica_port, f"scale-web-{name}"),
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "DATABASE_ROUTING_DEBUG_HEADER": "true",
            "DATABASE_REPLICA_RETRY_SECONDS": "1",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "2",
            "GUNICORN_ACCESSLOG": "/dev/null",
        }
        env = self.env(**{**settings, **overrides})
        log = open(self.base / f"web-{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return port

    def start_redis(self) -> None:
        self.redis_port = free_port()
        self.processes["redis"] = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )

    def shutdown(self) -> None:
        for process in self.processes.values():
            process.send_signal(signal.SIGINT)  # gunicorn: quick shutdown, no graceful wait
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for data in (self.replica, self.primary):
            if (data / "postmaster.pid").exists():
                as_postgres(PG_BIN / "pg_ctl", "-D", data, "-w", "-m", "immediate", "stop")


class Browser:
    """Minimal HTTP client for one gunicorn instance; keeps cookies it is given (also Secure ones)."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, data: dict | None = None):
        headers = {"Host": "127.0.0.1"}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        connection.close()
        return response

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data)

    def login(self, username: str) -> None:
        form = self.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        response = self.post("/admin/login/?next=/admin/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        assert response.status == 302, response.text[:500]


def wait_until_up(port: int) -> None:
    for _ in range(300):
        try:
            if Browser(port).get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"gunicorn on port {port} did not start")


@contextlib.contextmanager
def running_stack(**web_env):
    """Primary, streaming replica, Redis and two gunicorn instances ("a", "b"); `web_env`
    overrides the instances' environment. Everything is stopped and deleted afterwards."""
    base = Path(tempfile.mkdtemp(prefix="fc-scale-"))
    base.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    running = Stack(base)
    try:
        initdb = [PG_BIN / "initdb", "-D", running.primary, "--username=postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"]
        as_postgres(*initdb, "--locale=C.UTF-8")
        running.start_server(running.primary, running.primary_port)
        running.psql(running.primary_port, "CREATE DATABASE faktencheck", database="postgres")
        # The replica is cloned from the empty primary: the schema and data below reach it by streaming.
        basebackup = [PG_BIN / "pg_basebackup", "-h", base, "-p", running.primary_port, "-U", "postgres", "-D", running.replica]
        as_postgres(*basebackup, "-R", "-X", "stream", "-c", "fast", "--no-sync")
        running.start_replica()
        running.start_redis()
        running.manage("migrate", "--noinput")
        running.claim_pk = int(running.manage("shell", stdin=SETUP_DATA.replace("PASSWORD", repr(PASSWORD))).split()[-1])
        running.wait_for_replay()
        running.ports = {name: running.start_web(name, **web_env) for name in ("a", "b")}
        for port in running.ports.values():
            wait_until_up(port)
        yield running
    finally:
        running.shutdown()
        # Deleting two clusters' files is slow on a busy disk and nothing waits for it.
        subprocess.Popen(["rm", "-rf", str(base)], start_new_session=True)


@pytest.fixture(scope="module")
def stack():
    with running_stack() as running:
        yield running


def test_the_replica_is_a_streaming_standby_of_the_primary(stack):
    assert stack.psql(stack.primary_port, "SELECT pg_is_in_recovery()") == "f"
    assert stack.psql(stack.replica_port, "SELECT pg_is_in_recovery()") == "t"
    assert stack.psql(stack.primary_port, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == "1"
    assert stack.psql(stack.replica_port, "SELECT count(*) FROM claims_claim") == "2"


def test_public_reads_of_both_instances_are_served_by_the_replica(stack):
    for name, port in stack.ports.items():
        response = Browser(port).get(f"/faktenchecks/?instanz={name}")
        assert response.status == 200
        assert response.getheader("X-Database-Reads") == "replica_0"
        assert "SKALIERT-OEFFENTLICH" in response.text
        assert "SKALIERT-NEU" not in response.text
    connected = stack.psql(
        stack.replica_port, "SELECT string_agg(DISTINCT application_name, ',' ORDER BY application_name) FROM pg_stat_activity"
    )
    assert "scale-web-a" in connected
    assert "scale-web-b" in connected


def test_editors_read_and_write_on_the_primary_and_a_publish_reaches_both_instances(stack):
    readers = {name: Browser(port) for name, port in stack.ports.items()}
    for reader in readers.values():
        assert "SKALIERT-NEU" not in reader.get("/faktenchecks/").text
        assert reader.get("/faktenchecks/").getheader("X-Page-Cache") == "hit"

    editor_a = Browser(stack.ports["a"])
    editor_a.login("cvd")
    # The session lives in Redis: the other instance knows the editor without logging in again.
    editor_b = Browser(stack.ports["b"], cookies=editor_a.cookies)
    changelist = editor_b.get("/admin/claims/claim/")
    assert changelist.status == 200
    assert changelist.getheader("X-Database-Reads") == "default"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', changelist.text).group(1)
    published = editor_b.post(
        "/admin/claims/claim/",
        {"action": "publish_action", "_selected_action": [stack.claim_pk], "index": "0", "csrfmiddlewaretoken": token},
    )
    assert published.status == 302
    assert published.getheader("X-Database-Reads") == "default"
    assert "fc_primary=1" in (published.getheader("Set-Cookie") or "")
    assert stack.psql(stack.primary_port, f"SELECT status FROM claims_claim WHERE id = {stack.claim_pk}") == "published"

    # Right after the write the editor reads the primary on either instance.
    assert "SKALIERT-NEU" in editor_a.get("/admin/claims/claim/").text
    # The publish started a new cache generation in Redis. Instance A keeps serving the page it
    # holds for at most PUBLIC_FRESHNESS_SECONDS (1 s) after it last read the generation; then
    # it renders the list afresh, from the primary while replicas may still be catching up, and
    # B is served A's new page.
    time.sleep(1.2)
    fresh = readers["a"].get("/faktenchecks/")
    assert fresh.getheader("X-Page-Cache") == "miss"
    assert fresh.getheader("X-Database-Reads") == "default"
    assert "SKALIERT-NEU" in fresh.text
    shared = readers["b"].get("/faktenchecks/")
    assert shared.getheader("X-Page-Cache") == "hit"
    assert "SKALIERT-NEU" in shared.text
    stack.wait_for_replay()
    assert stack.psql(stack.replica_port, f"SELECT status FROM claims_claim WHERE id = {stack.claim_pk}") == "published"


def test_the_site_survives_the_replica_going_away(stack):
    stack.stop_replica()
    started = time.monotonic()
    try:
        for name, port in stack.ports.items():
            browser = Browser(port)
            for attempt in range(2):
                response = browser.get(f"/faktenchecks/?ausfall={name}-{attempt}-{uuid.uuid4().hex}")
                assert response.status == 200
                assert response.getheader("X-Database-Reads") == "default"
                assert "SKALIERT-OEFFENTLICH" in response.text
            assert browser.get("/healthz").status == 200
    finally:
        outage = time.monotonic() - started
        stack.start_replica()
    # Falling back costs no waiting: four requests on a dead replica took well under the connect timeout.
    assert outage < 3
    # After the retry interval the replica takes the reads again.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        response = Browser(stack.ports["a"]).get(f"/faktenchecks/?zurueck={uuid.uuid4().hex}")
        if response.getheader("X-Database-Reads") == "replica_0":
            break
        time.sleep(0.3)
    assert response.getheader("X-Database-Reads") == "replica_0"


def test_web_instances_write_no_local_files(stack):
    started = min(Path(stack.base / f"web-{name}.log").stat().st_mtime for name in ("a", "b"))
    ignored = {".git", ".pgdata", ".pytest_cache", "__pycache__", ".venv", "node_modules"}
    written = [
        path
        for path in ROOT.rglob("*")
        if path.is_file() and not ignored.intersection(path.relative_to(ROOT).parts) and path.stat().st_mtime > started
    ]
    assert written == []


def test_readers_partners_and_editors_are_served_while_the_shared_cache_is_down():
    with running_stack() as down:
        port = down.ports["a"]
        editor = Browser(port)
        editor.login("editor")
        down.processes["redis"].send_signal(signal.SIGTERM)
        down.processes["redis"].wait(timeout=10)
        for path in ("/faktenchecks/", "/api/v1/claims/"):
            assert Browser(port).get(path).status == 200, path
        assert editor.get("/admin/").status == 200
        assert "SKALIERT-NEU" in editor.get("/admin/claims/claim/").text
