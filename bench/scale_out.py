"""Scale-out under load: where reads go, and whether a replica outage costs any request.

    python -m bench.scale_out            # or: make test first, then this (needs the staticfiles)

Starts the stack of `tests/config/test_scale_out.py` (PostgreSQL primary, streaming replica
from `pg_basebackup -R`, Redis, two gunicorn instances) with the page cache off, so every
request reads the database, then drives both instances at once with wrk:

1. steady: transactions counted on the primary and on the replica (pg_stat_database) while
   anonymous readers load the claim list through both instances;
2. outage: the same load while the replica is stopped after a third of the run and started
   again after two thirds; wrk's non-2xx and socket-error counts show failed requests.

Configuration (environment): SCALE_DURATION=9 (seconds per phase), SCALE_CONNECTIONS=4 per instance.
"""

import json
import os
import re
import subprocess
import threading
import time

from tests.config.test_scale_out import running_stack

DURATION = int(os.environ.get("SCALE_DURATION", "9"))
CONNECTIONS = int(os.environ.get("SCALE_CONNECTIONS", "4"))
PATH = "/faktenchecks/"


def wrk(port: int, results: dict, name: str) -> None:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "10s", "-H", "Host: 127.0.0.1", f"http://127.0.0.1:{port}{PATH}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    results[name] = {
        "requests": requests,
        "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": dict(zip(("connect", "read", "write", "timeout"), map(int, socket_errors.groups()), strict=True))
        if socket_errors
        else {},
    }
    results[name]["failed"] = results[name]["non_2xx"] + sum(results[name]["socket_errors"].values())


def load_both(stack, during=None) -> dict:
    results: dict = {}
    threads = [threading.Thread(target=wrk, args=(port, results, name)) for name, port in stack.ports.items()]
    for thread in threads:
        thread.start()
    if during:
        during()
    for thread in threads:
        thread.join()
    return results


def transactions(stack, port: int) -> int:
    return int(stack.psql(port, "SELECT xact_commit FROM pg_stat_database WHERE datname = 'faktencheck'"))


def main() -> None:
    report = {}
    with running_stack(PUBLIC_PAGE_CACHE_SECONDS="0", DATABASE_ROUTING_DEBUG_HEADER="false") as stack:
        # Standby statistics are only flushed now and then; sample after the load settles.
        before = {"primary": transactions(stack, stack.primary_port), "replica": transactions(stack, stack.replica_port)}
        steady = load_both(stack)
        time.sleep(1.5)
        after = {"primary": transactions(stack, stack.primary_port), "replica": transactions(stack, stack.replica_port)}
        served = {name: after[name] - before[name] for name in before}
        report["steady"] = {"instances": steady, "transactions": served}

        def outage():
            time.sleep(DURATION / 3)
            stack.stop_replica()
            time.sleep(DURATION / 3)
            stack.start_replica()

        report["replica_outage"] = {"instances": load_both(stack, during=outage)}
    print(json.dumps(report, indent=2))
    steady_total = sum(result["requests"] for result in report["steady"]["instances"].values())
    outage_total = sum(result["requests"] for result in report["replica_outage"]["instances"].values())
    outage_failed = sum(result["failed"] for result in report["replica_outage"]["instances"].values())
    share = served["replica"] / max(1, served["replica"] + served["primary"])
    print(f"steady: {steady_total} requests, {share:.1%} of database transactions on the replica")
    print(f"replica outage: {outage_failed} failed of {outage_total} requests")


if __name__ == "__main__":
    main()
