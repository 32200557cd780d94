"""A throw-away PostgreSQL cluster that a script or test may stop and start at will.

Used to prove that the application survives a database restart: the cluster listens only
on a Unix socket in its own directory. PostgreSQL refuses to run as root, so as root the
server runs as the "postgres" system user (like config/localdb.sh).
"""

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote


def _pg_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return candidates[-1]
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: install the PostgreSQL server packages")
    return found


class TemporaryCluster:
    def __init__(self, port: int = 5499):
        self.port = port
        self.base = Path(tempfile.mkdtemp(prefix="faktencheck-pg-"))
        self.data = self.base / "data"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            os.chmod(self.base, 0o755)
            shutil.chown(self.base, "postgres", "postgres")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = (["runuser", "-u", "postgres", "--"] if self.as_root else []) + list(args)
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> "TemporaryCluster":
        self._run(_pg_bin("initdb"), f"--pgdata={self.data}", "--username=postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")
        return self

    def start(self) -> None:
        options = f"-c listen_addresses='' -k {self.base} -p {self.port} -c fsync=off -c max_connections=100"
        self._run(_pg_bin("pg_ctl"), f"--pgdata={self.data}", f"--log={self.base}/server.log", "--wait", f"--options={options}", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), f"--pgdata={self.data}", "--wait", f"--mode={mode}", "stop", check=False)

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            ["psql", "-h", str(self.base), "-p", str(self.port), "-U", "postgres", "-d", database, "-tAc", sql],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout.strip()

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def restore(self, dump: Path, database: str) -> None:
        """pg_restore a custom-format dump into `database` (which must exist)."""
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "-h",
                str(self.base),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                str(dump),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )

    def url(self, database: str) -> str:
        return f"postgres://postgres@{quote(str(self.base), safe='')}:{self.port}/{database}"

    def destroy(self) -> None:
        self.stop(mode="immediate")
        shutil.rmtree(self.base, ignore_errors=True)


def wait_for_http(url: str, *, timeout: float = 30.0, expect: int = 200) -> float:
    """Poll `url` until it answers `expect`; returns the seconds it took."""
    import urllib.error
    import urllib.request

    started = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == expect:
                    return time.monotonic() - started
        except urllib.error.HTTPError as error:
            if error.code == expect:
                return time.monotonic() - started
        except OSError:
            pass
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{url} did not answer {expect} within {timeout} s")
        time.sleep(0.1)


def loopback_app_env(database_url: str, **extra: str) -> dict:
    """Environment for the app on loopback with production settings against `database_url`.

    The caller's DJANGO_*/GUNICORN_*/API_RATE* variables are dropped so the server sees only
    these; login throttling is off because the load comes from one address.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_", "API_RATE"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        DATABASE_CONNECT_TIMEOUT="2",
        AXES_ENABLED="false",
        **extra,
    )
    return env
