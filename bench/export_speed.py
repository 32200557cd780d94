"""Throughput and memory of the JSON Lines export: `python -m bench.export_speed --size 100k`.

Streams `/api/v1/claims/export/` through Django's test client in this process (the same
view, middleware and serializers as under gunicorn), counts the lines and prints one JSON
line: claims/s, peak RSS of the process and how much the export added to it.
"""

import argparse
import json
import os
import resource
import sys
import time

from .generate import SIZES, database_url


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, required=True)
    parser.add_argument("--path", default="/api/v1/claims/export/")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = database_url(args.size)
    import django

    django.setup()
    from django.test import Client

    client = Client()
    client.get("/api/v1/claims/?page_size=1")  # imports, connection, URL resolver
    before = peak_rss_mb()
    started = time.perf_counter()
    response = client.get(args.path)
    if response.status_code != 200:
        print(json.dumps({"error": f"HTTP {response.status_code}"}))
        return 1
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "claims": lines,
                "seconds": round(seconds, 2),
                "claims_per_s": round(lines / seconds, 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "export_rss_growth_mb": round(peak_rss_mb() - before, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
