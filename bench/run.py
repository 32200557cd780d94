"""The benchmark run behind `make bench`: load data, start gunicorn, drive it with wrk, report.

For every size (default 1k, 10k, 100k claims) it starts the app under gunicorn with
production settings on loopback three times: page cache off (most targets), without
persistent database connections (negative control) and with the page cache on (in a
private Redis when redis-server is installed). Then, for several rounds, it runs
every target against every server for a few seconds with wrk, in rotating order, so
baselines and targets share the machine's conditions. Ratios are computed per round
and the median is reported.

Configuration (environment): BENCH_SIZES=1k,10k,100k BENCH_ROUNDS=3 BENCH_DURATION=4
BENCH_TARGETS=name,name (only these, plus the baselines) BENCH_DIRECT=false (no search/export/import)
BENCH_CONNECTIONS=8 BENCH_THREADS=2 GUNICORN_WORKERS (default: gunicorn.py's).
"""

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from .generate import RESULTS, database_url

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LUA = Path(__file__).resolve().parent / "lua" / "paths.lua"
BASE_PORT = int(os.environ.get("BENCH_PORT", "8101"))
REDIS_PORT = BASE_PORT + 99


@dataclass
class Target:
    name: str
    label: str
    lines: list[str]  # request lines for wrk: path[\tHeader: value…]
    baseline: str = "django"  # which minimal view the ratio refers to
    expect: int = 200
    server: str = "main"  # "main", "conn0" (no persistent connections) or "cache" (page cache on)
    queries: int | None = None
    skipped: str = ""


@dataclass
class Server:
    label: str
    port: int
    env: dict
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Measurement:
    runs: list[dict] = field(default_factory=list)


def bench_env(**extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or "bench-only-secret-key-0123456789abcdef0123456789abcdef",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        BENCH_BASELINES="true",
        # Uncached pages are measured as such; the "cache" servers switch the page cache on.
        PUBLIC_PAGE_CACHE_SECONDS="0",
        AXES_ENABLED="false",
        # Load generators are one client: without this the anonymous API rate answers 429.
        API_RATE_ANONYMOUS="100000000/second",
        # No worker recycling: a restarting worker's imports would land on whichever target
        # runs at that moment (the fast ones restart workers every second or two).
        GUNICORN_MAX_REQUESTS="0",
    )
    env.update(extra)
    return env


def http_get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def start(server: Server) -> None:
    server.log = RESULTS / f"gunicorn-{server.label}.log"
    env = bench_env(**server.env, GUNICORN_BIND=f"127.0.0.1:{server.port}", GUNICORN_ACCESSLOG="/dev/null")
    server.process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=server.log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_redis() -> subprocess.Popen | None:
    """A private, non-persistent Redis for the page-cache servers (local memory when not installed)."""
    if not shutil.which("redis-server"):
        return None
    process = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return process


def wait_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn {server.label} exited; see {server.log}")
        try:
            if http_get(server.url + "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn {server.label} did not answer within {timeout} s; see {server.log}")


def stop(server: Server) -> None:
    if server.process and server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)


def targets_for(sample: dict) -> list[Target]:
    """Every measured endpoint; those whose URL does not answer yet are reported as missing."""
    claims = [f"/faktenchecks/{slug}/" for slug in sample["claim_slugs"]]
    sources = [f"/quellen/{slug}/" for slug in sample["source_slugs"]]
    api_details = [f"/api/v1/claims/{slug}/" for slug in sample["claim_slugs"]]
    searches = [f"/suche/?q={quote(term)}" for term in sample["search_terms"]]
    return [
        Target("minimal-django", "Minimale Django-View", ["/__bench__/django/"]),
        Target("minimal-drf", "Minimale DRF-View", ["/__bench__/drf/"]),
        Target("one-query", "View mit einer Abfrage", ["/__bench__/one-query/"]),
        Target("site-layout", "Seitenlayout ohne Inhalt", ["/__bench__/layout/"]),
        Target("home", "Startseite", ["/"]),
        Target("claim-list", "Liste Seite 1", ["/faktenchecks/"]),
        Target("claim-list-deep", "Liste tiefe Seite", [f"/faktenchecks/{sample['deep_list_query']}"]),
        Target("claim-detail", "Faktencheck (ungecacht)", claims),
        Target("source-detail", "Quelle", sources),
        Target("search-page", "Suchseite", searches),
        Target("api-list", "API-Liste (50)", ["/api/v1/claims/?page_size=50"], baseline="drf"),
        Target("api-detail", "API-Detail", api_details, baseline="drf"),
        Target("api-claimreview", "API ClaimReview", ["/api/v1/claims/claimreview/?page_size=50"], baseline="drf"),
        Target("revalidate-304", "304-Revalidierung", claims, expect=304),
        Target("api-revalidate-304", "API 304-Revalidierung", api_details, baseline="drf", expect=304),
        Target("claims-prefetched", "DRF 50 mit Prefetch", ["/__bench__/claims-prefetched/"], baseline="drf"),
        Target("control-n-plus-one", "Kontrolle: N+1", ["/__bench__/claims-n-plus-one/"], baseline="drf"),
        Target("cached-claim-detail", "Faktencheck aus Seiten-Cache", claims[:20], server="cache"),
        Target("cached-home", "Startseite aus Seiten-Cache", ["/"], server="cache"),
        Target("control-conn0-one-query", "Kontrolle: ohne pers. Verb.", ["/__bench__/one-query/"], server="conn0"),
    ]


def probe(server: Server, target: Target) -> None:
    """Check a target answers as expected; for 304, collect the validators to send."""
    if target.expect == 304:
        lines = []
        for line in target.lines[:50]:
            status, headers, _ = http_get(server.url + line)
            validator = headers.get("ETag") and f"If-None-Match: {headers['ETag']}"
            validator = validator or (headers.get("Last-Modified") and f"If-Modified-Since: {headers['Last-Modified']}")
            if status == 200 and validator:
                lines.append(f"{line}\t{validator}")
        if not lines:
            target.skipped = "keine ETag/Last-Modified-Header"
            return
        target.lines = lines
    for line in target.lines[:3]:
        status = request(server, line)[0]
        if status != target.expect:
            target.skipped = f"HTTP {status}"
            return


def count_queries(server: Server, target: Target) -> None:
    """SQL queries per request in steady state (after warm-up): the fewest of fifteen requests.

    A worker reads the site version behind ETag/Last-Modified at most once a second
    (PUBLIC_FRESHNESS_SECONDS); fifteen requests in a row reach some worker twice within
    that second (there are fewer workers), which shows the count without that read."""
    counts = [int(request(server, line)[1].get("X-Bench-Queries", -1)) for line in (target.lines * 15)[:15]]
    target.queries = min(counts)


def request(server: Server, line: str) -> tuple[int, dict, bytes]:
    path, *header_fields = line.split("\t")
    return http_get(server.url + path, dict(field.split(": ", 1) for field in header_fields))


def wrk(server: Server, target: Target, *, duration: int, connections: int, threads: int, workdir: Path) -> dict:
    lines = workdir / f"{server.label}-{target.name}.txt"
    if not lines.exists():
        lines.write_text("\n".join(target.lines) + "\n", encoding="utf-8")
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        server.url,
        "--",
        str(lines),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    # wrk stops sending, but the server still works off the requests it has accepted: let it
    # finish them, or a slow target would take CPU from whichever target runs next.
    time.sleep(min(5.0, 0.2 + 2 * result["p99_us"] / 1e6))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(value for key, value in result.items() if key.startswith("errors_"))
    return result


def subprocess_json(args: list[str], env: dict) -> dict:
    output = subprocess.run([PYTHON, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if output.returncode != 0:
        return {"error": output.stderr.strip().splitlines()[-1] if output.stderr.strip() else f"exit {output.returncode}"}
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> int:
    sizes = os.environ.get("BENCH_SIZES", "1k,10k,100k").split(",")
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    duration = int(os.environ.get("BENCH_DURATION", "4"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "8"))
    threads = int(os.environ.get("BENCH_THREADS", "2"))
    # A quick look at some targets: BENCH_TARGETS=claim-detail,api-detail (baselines always run),
    # BENCH_DIRECT=false skips the search, export and import measurements.
    only = {name for name in os.environ.get("BENCH_TARGETS", "").split(",") if name}
    direct = os.environ.get("BENCH_DIRECT", "true").lower() != "false"
    if not shutil.which("wrk"):
        raise SystemExit("wrk fehlt: apt-get install wrk")
    RESULTS.mkdir(exist_ok=True)
    base_url = os.environ["DATABASE_URL"]

    for size in sizes:
        subprocess.run([PYTHON, "-m", "bench.generate", "--size", size], cwd=ROOT, env=bench_env(), check=True)

    redis = start_redis()
    servers = {}
    for index, size in enumerate(sizes):
        database = {"DATABASE_URL": database_url(size, base_url)}
        # Entries must outlive the run: the cache targets measure hits, not refills after expiry.
        cache = {"PUBLIC_PAGE_CACHE_SECONDS": "86400"}
        if redis:
            cache["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/{index}"
        servers[size] = {
            "main": Server(size, BASE_PORT + 3 * index, database),
            "conn0": Server(f"{size}-conn0", BASE_PORT + 3 * index + 1, {**database, "DJANGO_CONN_MAX_AGE": "0"}),
            "cache": Server(f"{size}-cache", BASE_PORT + 3 * index + 2, {**database, **cache}),
        }
    everything = [server for by_kind in servers.values() for server in by_kind.values()]
    results: dict = {}
    try:
        for server in everything:
            start(server)
        for server in everything:
            wait_ready(server)
        plans = {}
        for size in sizes:
            sample = json.loads((RESULTS / f"sample-{size}.json").read_text(encoding="utf-8"))
            plans[size] = targets_for(sample)
            if only:
                plans[size] = [target for target in plans[size] if target.name in only or target.name.startswith("minimal-")]
            for target in plans[size]:
                probe(servers[size][target.server], target)
        measurements = {size: {target.name: Measurement() for target in plans[size]} for size in sizes}
        with tempfile.TemporaryDirectory() as workdir:
            options = {"connections": connections, "threads": threads, "workdir": Path(workdir)}
            # Warm-up: every worker connects, compiles templates and fills its caches.
            for size in sizes:
                for target in plans[size]:
                    if not target.skipped:
                        wrk(servers[size][target.server], target, duration=1, **options)
            for size in sizes:
                for target in plans[size]:
                    if not target.skipped:
                        count_queries(servers[size][target.server], target)
            for round_number in range(rounds):
                for offset in range(len(plans[sizes[0]])):
                    for size in size_order(sizes, round_number):
                        targets = plans[size]
                        target = targets[(offset + round_number * 3) % len(targets)]
                        if target.skipped:
                            continue
                        run = wrk(servers[size][target.server], target, duration=duration, **options)
                        run["round"] = round_number
                        measurements[size][target.name].runs.append(run)
                print(f"Runde {round_number + 1}/{rounds} fertig", flush=True)
        results = summarise(sizes, plans, measurements)
    finally:
        for server in everything:
            stop(server)
        if redis:
            redis.terminate()
            redis.wait(timeout=10)

    if direct:
        calls = os.environ.get("BENCH_SEARCH_CALLS", "50")
        results["search"] = {
            size: subprocess_json(["bench.search_latency", "--size", size, "--calls", calls], bench_env()) for size in sizes
        }
        results["export"] = {size: subprocess_json(["bench.export_speed", "--size", size], bench_env()) for size in sizes}
        count = os.environ.get("BENCH_IMPORT_COUNT", "1000")
        results["import"] = subprocess_json(["bench.import_speed", "--count", count], bench_env())
    results["meta"] = {
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": sizes,
        "rounds": rounds,
        "duration_s": duration,
        "connections": connections,
        "threads": threads,
        "gunicorn_workers": os.environ.get("GUNICORN_WORKERS", "config/gunicorn.py default"),
        "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
    }
    results["goals"] = goals(results, sizes)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for path in (RESULTS / f"bench-{stamp}.json", RESULTS / "latest.json"):
        path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(report(results, sizes))
    print(f"\nJSON: {RESULTS / f'bench-{stamp}.json'}")
    return 0


# Reference views: what pages are measured against, not endpoints of the site.
REFERENCES = ("one-query", "site-layout", "claims-prefetched")


def size_order(sizes: list[str], round_number: int) -> list[str]:
    """The sizes in the order a round measures each target: every size leads in turn."""
    shift = round_number % len(sizes)
    return sizes[shift:] + sizes[:shift]


def summarise(sizes, plans, measurements) -> dict:
    """Median over rounds; ratios per round against the baseline run in the same round."""
    table = {}
    for size in sizes:
        rows = {}
        baseline_rps = {
            kind: {run["round"]: run["rps"] for run in measurements[size][name].runs}
            for kind, name in (("django", "minimal-django"), ("drf", "minimal-drf"))
        }
        for target in plans[size]:
            runs = measurements[size][target.name].runs
            row = {"label": target.label, "queries": target.queries, "path": target.lines[0].split("\t")[0], "baseline": target.baseline}
            if target.skipped or not runs:
                row["skipped"] = target.skipped or "nicht gemessen"
                rows[target.name] = row
                continue
            ratios = [
                run["rps"] / baseline_rps[target.baseline][run["round"]] for run in runs if run["round"] in baseline_rps[target.baseline]
            ]
            django_ratios = [run["rps"] / baseline_rps["django"][run["round"]] for run in runs if run["round"] in baseline_rps["django"]]
            row.update(
                rps=round(statistics.median(run["rps"] for run in runs), 1),
                p50_ms=round(statistics.median(run["p50_us"] for run in runs) / 1000, 2),
                p99_ms=round(statistics.median(run["p99_us"] for run in runs) / 1000, 2),
                ratio=round(statistics.median(ratios), 3) if ratios else None,
                ratio_django=round(statistics.median(django_ratios), 3) if django_ratios else None,
                errors=sum(run["errors"] for run in runs),
                runs=[{key: run[key] for key in ("round", "rps", "p50_us", "p99_us", "errors")} for run in runs],
            )
            rows[target.name] = row
        table[size] = rows
    return {"endpoints": table}


def goals(results: dict, sizes: list[str]) -> list[dict]:
    """The targets from bench/README.md, each with the measured value and whether it is met."""
    table = results["endpoints"]
    small, large = sizes[0], sizes[-1]
    checks = []

    def ratio(size, name, key="ratio"):
        return table.get(size, {}).get(name, {}).get(key)

    def check(goal, value, ok, note=None):
        checks.append({"goal": goal, "value": value, "met": None if value is None else bool(ok(value))} | ({"note": note} if note else {}))

    for size in sizes:
        check(f"[{size}] Faktencheck ungecacht >= 0,30 × minimale Django-View", ratio(size, "claim-detail"), lambda v: v >= 0.30)
        check(f"[{size}] 304-Revalidierung >= 0,70", ratio(size, "revalidate-304"), lambda v: v >= 0.70)
        check(f"[{size}] Seiten-Cache-Treffer >= 0,80", ratio(size, "cached-claim-detail"), lambda v: v >= 0.80)
        check(f"[{size}] API-Liste (50) >= 0,25 × minimale DRF-View", ratio(size, "api-list"), lambda v: v >= 0.25)
        check(f"[{size}] API-Detail >= 0,40 × minimale DRF-View", ratio(size, "api-detail"), lambda v: v >= 0.40)
        control = ratio(size, "control-n-plus-one")
        reference = ratio(size, "claims-prefetched")
        check(
            f"[{size}] Kontrolle N+1 deutlich langsamer (< 0,7 × Prefetch)",
            None if control is None or reference is None else round(control / reference, 3),
            lambda v: v < 0.7,
        )
        conn0, persistent = ratio(size, "control-conn0-one-query", "rps"), ratio(size, "one-query", "rps")
        if conn0 is not None:
            check(
                f"[{size}] Kontrolle ohne persistente Verbindungen deutlich langsamer (< 0,8 × one-query)",
                None if persistent is None else round(conn0 / persistent, 3),
                lambda v: v < 0.8,
            )
    if small != large:
        for name in table[large]:
            if name.startswith(("control-", "minimal-")) or name in REFERENCES:
                continue
            value, note = scaling(table[small].get(name, {}), table[large][name])
            check(f"Skalierung {name}: {large} >= 0,9 × {small} (req/s)", value, lambda v: v >= 0.9, note)
            qa, qb = ratio(small, name, "queries"), ratio(large, name, "queries")
            if qa is not None and qb is not None:
                check(f"Abfragen konstant {name}: {small}={qa}, {large}={qb}", qb - qa, lambda v: v == 0)
    export = results.get("export", {})
    rate = export.get(large, {}).get("claims_per_s")
    check(f"[{large}] JSONL-Export >= 20.000 Faktenchecks/s", rate, lambda v: v >= 20000)
    growth_small = export.get(small, {}).get("export_rss_growth_mb")
    growth_large = export.get(large, {}).get("export_rss_growth_mb")
    if small != large and growth_small is not None and growth_large is not None:
        check(
            f"Export-Speicher unabhängig von der Größe: Zuwachs {small}={growth_small} MB, {large}={growth_large} MB",
            round(growth_large - growth_small, 1),
            lambda v: v <= 20,
        )
    search = results.get("search", {}).get(large, {})
    for kind in ("search", "similar"):
        value = search.get(kind, {}).get("p95_ms")
        check(f"[{large}] {kind} p95 <= 50 ms", value, lambda v: v <= 50)
    return checks


def scaling(small: dict, large: dict) -> tuple[float | None, str | None]:
    """req/s at the large size over req/s at the small one: the median of the rounds' quotients.

    Both sizes of a target run seconds apart in every round, so each round's quotient shares
    the machine's state of that moment; one slow round moves the median of the quotients less
    than it moves the quotient of the medians (given alongside)."""
    if not small.get("rps") or not large.get("rps"):
        return None, None
    of_medians = round(large["rps"] / small["rps"], 3)
    small_rounds = {run["round"]: run["rps"] for run in small.get("runs", []) if run["rps"]}
    quotients = [run["rps"] / small_rounds[run["round"]] for run in large.get("runs", []) if run["round"] in small_rounds]
    if not quotients:
        return of_medians, None
    rounds = " / ".join(f"{quotient:.2f}" for quotient in quotients)
    return round(statistics.median(quotients), 3), f"je Runde {rounds}; Quotient der Mediane {of_medians}"


def report(results: dict, sizes: list[str]) -> str:
    lines = []
    header = f"{'Ziel':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'Ratio':>6} {'Basis':>6} {'SQL':>4}"
    for size in sizes:
        lines += ["", f"== {size} Faktenchecks ==", header, "-" * len(header)]
        for row in results["endpoints"][size].values():
            if row.get("skipped"):
                lines.append(f"{row['label']:34} {'—':>8}   fehlt: {row['skipped']}")
                continue
            lines.append(
                f"{row['label']:34} {row['rps']:8.1f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} "
                f"{row['ratio']:6.3f} {row['baseline']:>6} {row['queries']:>4}" + (f"  Fehler: {row['errors']}" if row["errors"] else "")
            )
    lines += ["", "Suche / ähnliche Behauptungen (direkt aufgerufen)"]
    for size in sizes:
        lines.append(f"  {size}: {json.dumps(results.get('search', {}).get(size), ensure_ascii=False)}")
    lines += ["", "JSONL-Export (direkt gestreamt)"]
    for size in sizes:
        lines.append(f"  {size}: {json.dumps(results.get('export', {}).get(size), ensure_ascii=False)}")
    lines += ["", f"Import: {json.dumps(results.get('import'), ensure_ascii=False)}", "", "Ziele"]
    for check in results["goals"]:
        mark = {True: "OK  ", False: "FAIL", None: "—   "}[check["met"]]
        lines.append(f"  {mark} {check['goal']}: {check['value']}" + (f" ({check['note']})" if check.get("note") else ""))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
