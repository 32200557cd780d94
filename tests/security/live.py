"""A real gunicorn serving the project against a given database, for outage and load tests."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from bench.pgcluster import loopback_app_env

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dump_database(settings_dict: dict, target: Path) -> None:
    """pg_dump (custom format) of a Django database connection's database."""
    env = dict(os.environ, PGHOST=settings_dict["HOST"] or "", PGPORT=str(settings_dict["PORT"] or ""), PGUSER=settings_dict["USER"] or "")
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", settings_dict["NAME"]], env=env, check=True, timeout=120
    )


class Gunicorn:
    def __init__(self, database_url: str, log_dir: Path, *, workers: int = 2):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.access_log = log_dir / "access.log"
        env = loopback_app_env(
            database_url,
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS=str(workers),
            GUNICORN_ACCESSLOG=str(self.access_log),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=open(log_dir / "gunicorn.out", "w"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
