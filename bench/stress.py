"""`make stress`: mixed load on gunicorn for minutes, editors writing, PostgreSQL restarted midway.

Readers (anonymous and with a partner key) hammer pages, feeds and the API through wrk
while editor pipelines create drafts, add appearances, edit, submit, approve and publish
through the API, and two editors race on the same claim (optimistic versions, 409s).
Halfway through, PostgreSQL is stopped for a few seconds and started again.

Afterwards the run is checked against the access log and the database:
* no 500 at all, 503 only while the database was down, nothing hung;
* the app answers again within 5 s of the database returning;
* every write the app acknowledged (2xx) is in the database, counted per kind;
* no half-written claim: every claim has its creation event, every published one its
  approval and publication.

Environment: STRESS_SECONDS (default 300), STRESS_OUTAGE_SECONDS (4), STRESS_EDITORS (3),
STRESS_CONNECTIONS (8 per reader kind), GUNICORN_WORKERS (4). Exit code 0 only if all
checks hold. Results go to stdout and bench/results/stress.json.
"""

import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pgcluster import TemporaryCluster, loopback_app_env, wait_for_http  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua" / "paths.lua"
RESULTS = ROOT / "bench" / "results"
PASSWORD = "stress-passwort-" + secrets.token_hex(8)
RECOVERY_LIMIT = 5.0
LOG_FORMAT = '%(t)s %(s)s %(L)s "%(r)s"'
LOG_LINE = re.compile(r"^\[(?P<time>[^\]]+)\] (?P<status>\d{3}) (?P<seconds>[\d.]+) \"(?P<request>[^\"]*)\"")

SETUP = """
from django.contrib.auth.models import Group
from django.contrib.auth import get_user_model
from claims import roles
from claims.models import Appearance, Claim
import json
User = get_user_model()
users = {}
for name, group in (("stress-reporter", roles.REPORTER), ("stress-redakteur", roles.EDITOR), ("stress-cvd", roles.PUBLISHER),
                    ("stress-race-1", roles.EDITOR), ("stress-race-2", roles.EDITOR)):
    user, _ = User.objects.get_or_create(username=name, defaults={"is_staff": True})
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=group))
key = ""
try:
    from claims.models import PartnerKey
    _, key = PartnerKey.objects.create_key(name="Stresstest")
except ImportError:
    from rest_framework_api_key.models import APIKey
    _, key = APIKey.objects.create_key(name="Stresstest")
appearance = Appearance.objects.select_related("source").filter(claim__in=Claim.objects.published()).first()
print(json.dumps({
    "key": key,
    "source": appearance.source.slug,
    "quote": appearance.source.body[appearance.start:appearance.end],
    "claims": list(Claim.objects.published().values_list("slug", flat=True)[:20]),
    "sources": sorted(set(Appearance.objects.filter(claim__in=Claim.objects.published()).values_list("source__slug", flat=True)))[:10],
    "claimants": list(Claim.objects.published().exclude(claimant=None).values_list("claimant__slug", flat=True).distinct()[:10]),
}))
"""

VERIFY = """
import json, sys
from claims.choices import ClaimStatus, EventAction
from claims.models import Claim, ClaimEvent
acks = json.load(open(sys.argv[-1]))
missing = {}
def miss(kind, detail):
    missing.setdefault(kind, []).append(detail)
found = {"create": 0, "appearance": 0, "edit": 0, "submit": 0, "approve": 0, "publish": 0}
claims = {c.slug: c for c in Claim.objects.filter(slug__in=[a["slug"] for a in acks["create"]]).prefetch_related("appearances", "events")}
for ack in acks["create"]:
    claim = claims.get(ack["slug"])
    if claim is None or claim.text != ack["text"]:
        miss("create", ack["slug"]); continue
    found["create"] += 1
for ack in acks["appearance"]:
    claim = claims.get(ack["slug"])
    if claim is not None and claim.appearances.exists():
        found["appearance"] += 1
    else:
        miss("appearance", ack["slug"])
for ack in acks["edit"]:
    claim = claims.get(ack["slug"])
    if claim is not None and ack["marker"] in claim.context:
        found["edit"] += 1
    else:
        miss("edit", ack["slug"])
order = {ClaimStatus.DRAFT: 0, ClaimStatus.IN_REVIEW: 1, ClaimStatus.PUBLISHED: 2}
for kind, status in (("submit", ClaimStatus.IN_REVIEW), ("approve", ClaimStatus.IN_REVIEW), ("publish", ClaimStatus.PUBLISHED)):
    for ack in acks[kind]:
        claim = claims.get(ack["slug"])
        ok = claim is not None and order.get(claim.status, -1) >= order[status]
        if kind == "approve":
            ok = ok and (claim.approved_by_id is not None)
        if ok:
            found[kind] += 1
        else:
            miss(kind, ack["slug"])
race = Claim.objects.get(slug=acks["race_slug"])
race_ok = race.version == 1 + len(acks["race"])
half = []
for claim in Claim.objects.filter(text__startswith="Stresstest"):
    actions = {e.action for e in claim.events.all()}
    if EventAction.CREATED not in actions:
        half.append(f"{claim.slug}: no creation event")
    if claim.status != ClaimStatus.DRAFT and not claim.appearances.exists():
        half.append(f"{claim.slug}: submitted without appearance")
    published = claim.status == ClaimStatus.PUBLISHED
    if published and (claim.approved_by_id is None or EventAction.PUBLISHED not in actions or claim.published_at is None):
        half.append(f"{claim.slug}: published without approval/event/date")
print(json.dumps({"found": found, "missing": missing, "race_version": race.version, "race_acks": len(acks["race"]),
                  "race_ok": race_ok, "half_written": half, "stress_claims": Claim.objects.filter(text__startswith="Stresstest").count()}))
"""


def manage(env: dict, code: str, *args: str) -> dict:
    script = Path(tempfile.mkstemp(suffix=".py")[1])
    script.write_text(code.replace("PASSWORD", repr(PASSWORD)), encoding="utf-8")
    try:
        output = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import django, sys; django.setup(); sys.argv = ['x', *{list(args)!r}]; exec(open({str(script)!r}).read())",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    except subprocess.CalledProcessError as error:
        raise SystemExit(error.stderr) from error
    finally:
        script.unlink()
    return json.loads(output.stdout.strip().splitlines()[-1])


class Editor:
    """An API client with a staff session (login through the admin form, CSRF token from the cookie)."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.session = requests.Session()
        self.username = username
        self.login()

    def _plain_http_cookies(self) -> None:
        # The app marks cookies Secure (production runs behind TLS); this run talks plain HTTP on loopback.
        for cookie in self.session.cookies:
            cookie.secure = False

    def login(self) -> None:
        for _ in range(100):
            try:
                self.session.get(f"{self.base}/admin/login/", timeout=10)
                self._plain_http_cookies()
                response = self.session.post(
                    f"{self.base}/admin/login/?next=/admin/",
                    data={
                        "username": self.username,
                        "password": PASSWORD,
                        "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""),
                    },
                    headers={"Referer": f"{self.base}/admin/login/"},
                    timeout=10,
                    allow_redirects=False,
                )
                if response.status_code == 302:
                    self._plain_http_cookies()
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"login failed for {self.username}")

    def call(self, method: str, path: str, payload: dict | None = None) -> requests.Response | None:
        try:
            return self.session.request(
                method,
                f"{self.base}/api/v1/{path}",
                json=payload,
                headers={"X-CSRFToken": self.session.cookies.get("csrftoken", ""), "Referer": self.base + "/"},
                timeout=15,
            )
        except requests.RequestException:
            return None


class Writers:
    def __init__(self, base: str, setup: dict, run_id: str):
        self.base, self.setup, self.run_id = base, setup, run_id
        self.acks: dict[str, list] = {kind: [] for kind in ("create", "appearance", "edit", "submit", "approve", "publish")}
        self.acks["race"] = []
        self.statuses: Counter = Counter()
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def _ack(self, kind: str, **data) -> None:
        with self.lock:
            self.acks[kind].append(data)

    def _retry(self, editor: Editor, method: str, path: str, payload: dict | None, ok: int) -> requests.Response | None:
        """Repeat a step until acknowledged; a refused step (4xx other than a lost race) ends the pipeline."""
        while not self.stop.is_set():
            response = editor.call(method, path, payload)
            with self.lock:
                self.statuses[response.status_code if response is not None else "connection error"] += 1
            if response is not None and response.status_code == ok:
                return response
            if response is not None and 400 <= response.status_code < 500 and response.status_code != 429:
                return None
            time.sleep(0.3)
        return None

    def pipeline(self, worker: int) -> None:
        reporter, editor, publisher = (Editor(self.base, name) for name in ("stress-reporter", "stress-redakteur", "stress-cvd"))
        number = 0
        while not self.stop.is_set():
            number += 1
            text = f"Stresstest {self.run_id} {worker}-{number}"
            created = self._retry(
                reporter,
                "POST",
                "claims/",
                {"text": text, "rating": "falsch", "conclusion": "Im Stresstest geprüft.", "context": "Erste Fassung."},
                201,
            )
            if created is None:
                continue
            slug = created.json()["slug"]
            self._ack("create", slug=slug, text=text)
            if self._retry(
                reporter, "POST", f"claims/{slug}/appearances/", {"source": self.setup["source"], "quote": self.setup["quote"]}, 201
            ):
                self._ack("appearance", slug=slug)
            else:
                continue
            detail = self._retry(reporter, "GET", f"claims/{slug}/", None, 200)
            if detail is None:
                continue
            marker = f"Bearbeitet {number}"
            if self._retry(reporter, "PATCH", f"claims/{slug}/", {"version": detail.json()["version"], "context": marker}, 200):
                self._ack("edit", slug=slug, marker=marker)
            for kind, actor in (("submit", reporter), ("approve", editor), ("publish", publisher)):
                if not self._retry(actor, "POST", f"claims/{slug}/{kind}/", {}, 200):
                    break
                self._ack(kind, slug=slug)

    def race(self, name: str, slug: str) -> None:
        """Two editors save the same claim concurrently: each save is based on the version it read."""
        editor = Editor(self.base, name)
        number = 0
        while not self.stop.is_set():
            detail = editor.call("GET", f"claims/{slug}/")
            if detail is None or detail.status_code != 200:
                time.sleep(0.2)
                continue
            number += 1
            marker = f"{name}-{number}"
            response = editor.call("PATCH", f"claims/{slug}/", {"version": detail.json()["version"], "context": f"Wettlauf {marker}"})
            with self.lock:
                self.statuses[response.status_code if response is not None else "connection error"] += 1
                if response is not None and response.status_code == 200:
                    self.acks["race"].append(marker)
            time.sleep(0.05)


def reader_lines(setup: dict, key: str) -> list[str]:
    paths = ["/", "/faktenchecks/", "/bewertungen/", "/korrekturen/", "/suche/?q=Truppen", "/faktenchecks/?q=Ukraine"]
    paths += [f"/faktenchecks/{slug}/" for slug in setup["claims"]]
    paths += [f"/quellen/{slug}/" for slug in setup["sources"]]
    paths += [f"/urheber/{slug}/" for slug in setup["claimants"]]
    api = ["/api/v1/claims/", "/api/v1/claims/?q=Ukraine", "/api/v1/ratings/", "/api/v1/sources/", "/api/v1/corrections/"]
    api += [f"/api/v1/claims/{slug}/" for slug in setup["claims"][:10]]
    lines = paths + api
    if key:
        lines += [f"{path}\tAuthorization: Api-Key {key}" for path in api]
    return lines


def parse_log(path: Path) -> list[tuple[float, int, float, str]]:
    entries = []
    for line in path.read_text(errors="replace").splitlines():
        match = LOG_LINE.match(line)
        if match:
            when = datetime.strptime(match["time"], "%d/%b/%Y:%H:%M:%S %z").timestamp()
            entries.append((when, int(match["status"]), float(match["seconds"]), match["request"]))
    return entries


def main() -> int:
    duration = int(os.environ.get("STRESS_SECONDS", "300"))
    outage = float(os.environ.get("STRESS_OUTAGE_SECONDS", "4"))
    editors = int(os.environ.get("STRESS_EDITORS", "3"))
    connections = int(os.environ.get("STRESS_CONNECTIONS", "8"))
    workers = os.environ.get("GUNICORN_WORKERS", "4")
    if not shutil.which("wrk"):
        raise SystemExit("wrk fehlt: apt-get install wrk")
    source_url = os.environ["DATABASE_URL"]
    workdir = Path(tempfile.mkdtemp(prefix="faktencheck-stress-"))
    print(f"stress: {duration} s, {editors} editor pipelines + 2 racing editors, 2×{connections} reader connections, outage {outage} s")

    dump = workdir / "start.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"--dbname={source_url}"], check=True)
    cluster = TemporaryCluster(port=5498).init()
    cluster.start()
    gunicorn = None
    try:
        database_url = cluster.create_database("faktencheck")
        cluster.restore(dump, "faktencheck")
        env = loopback_app_env(
            database_url,
            API_RATE_ANONYMOUS="1000000/minute",
            API_RATE_PARTNER="1000000/minute",
            API_RATE_STAFF="1000000/minute",
        )
        setup = manage(env, SETUP)
        port = 8190
        base = f"http://127.0.0.1:{port}"
        access_log = workdir / "access.log"
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                workers,
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                LOG_FORMAT,
                "config.wsgi:application",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=open(workdir / "gunicorn.out", "w"),  # noqa: SIM115 - lives as long as the server
            stderr=subprocess.STDOUT,
        )
        wait_for_http(base + "/faktenchecks/", timeout=60)
        race_editor = Editor(base, "stress-race-1")
        race = race_editor.call("POST", "claims/", {"text": f"Stresstest Wettlauf {secrets.token_hex(3)}", "context": "Start"}).json()

        lines_file = workdir / "paths.txt"
        lines = reader_lines(setup, "")
        lines_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        partner_file = workdir / "partner.txt"
        partner_file.write_text("\n".join(line for line in reader_lines(setup, setup["key"]) if "Api-Key" in line) + "\n", encoding="utf-8")
        started = time.time()
        readers = [
            subprocess.Popen(
                ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(LUA), base, "--", str(file)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for file in (lines_file, partner_file)
        ]
        writers = Writers(base, setup, secrets.token_hex(3))
        threads = [threading.Thread(target=writers.pipeline, args=(n,), daemon=True) for n in range(editors)]
        threads += [
            threading.Thread(target=writers.race, args=(name, race["slug"]), daemon=True) for name in ("stress-race-1", "stress-race-2")
        ]
        for thread in threads:
            thread.start()

        time.sleep(max(duration / 2 - outage / 2, 1))
        down_at = time.time()
        cluster.stop()
        print(f"stress: PostgreSQL stopped at +{down_at - started:.0f} s")
        time.sleep(outage)
        cluster.start()
        up_at = time.time()
        recovery = wait_for_http(base + "/faktenchecks/", timeout=60)
        print(f"stress: PostgreSQL back after {up_at - down_at:.1f} s, app answered 200 after {recovery:.2f} s")

        wrk_results = [json.loads(reader.communicate()[0].strip().splitlines()[-1]) for reader in readers]
        writers.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        finished = time.time()
        time.sleep(1)

        acks_file = workdir / "acks.json"
        acks_file.write_text(json.dumps({**writers.acks, "race_slug": race["slug"]}), encoding="utf-8")
        verify = manage(env, VERIFY, str(acks_file))
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        cluster.destroy()

    entries = parse_log(access_log)
    statuses = Counter(status for _, status, _, _ in entries)
    window_end = up_at + recovery + 1.5
    in_outage = [e for e in entries if down_at - 1 <= e[0] <= window_end]
    errors_500 = [e for e in entries if e[1] >= 500 and e[1] != 503]
    stray_503 = [e for e in entries if e[1] == 503 and not (down_at - 1 <= e[0] <= window_end)]
    outage_503 = [e for e in in_outage if e[1] == 503]
    latencies = sorted(seconds for _, _, seconds, _ in entries)
    acked = {kind: len(values) for kind, values in writers.acks.items()}
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(finished - started, 1),
        "requests": len(entries),
        "requests_per_second": round(len(entries) / (finished - started), 1),
        "status_codes": dict(sorted((str(k), v) for k, v in statuses.items())),
        "latency_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "latency_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
        "latency_max_s": round(latencies[-1], 3) if latencies else None,
        "server_errors_500": len(errors_500),
        "503_outside_outage": len(stray_503),
        "503_during_outage": len(outage_503),
        "503_slowest_s": round(max((e[2] for e in outage_503), default=0), 3),
        "outage_seconds": round(up_at - down_at, 1),
        "recovery_seconds": round(recovery, 2),
        "wrk": wrk_results,
        "writer_statuses": {str(k): v for k, v in writers.statuses.items()},
        "acknowledged_writes": acked,
        "verified_writes": {**verify["found"], "race": verify["race_version"] - 1},
        "missing_writes": verify["missing"],
        "half_written_claims": verify["half_written"],
        "race_ok": verify["race_ok"],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stress.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    failures = []
    if duration >= 300 and report["seconds"] < 300:
        failures.append("ran shorter than 5 minutes")
    if errors_500:
        failures.append(f"{len(errors_500)} server errors: {errors_500[:5]}")
    if stray_503:
        failures.append(f"{len(stray_503)} 503 outside the outage: {stray_503[:5]}")
    if report["503_slowest_s"] > 3.5:
        failures.append("a 503 took longer than the connect timeout: requests hung")
    if recovery > RECOVERY_LIMIT:
        failures.append(f"recovery took {recovery:.2f} s")
    if verify["missing"]:
        failures.append(f"acknowledged writes missing: {verify['missing']}")
    if verify["half_written"]:
        failures.append(f"half-written claims: {verify['half_written'][:5]}")
    if not verify["race_ok"]:
        failures.append(f"racing edits: version {verify['race_version']} after {verify['race_acks']} acknowledged saves")
    if sum(acked.values()) == 0:
        failures.append("no write was acknowledged")
    print("stress: " + ("OK" if not failures else "FAILED\n  " + "\n  ".join(failures)))
    shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
