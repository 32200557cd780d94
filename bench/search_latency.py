"""Latency of full-text search and similar-claim lookup, called directly on a benchmark database.

`python -m bench.search_latency --size 100k` warms up with five queries of the size's sample,
then times `--calls` (default 50) search queries (first result page, as the site shows it),
as many similar-claim lookups and as many spelled-alike lookups (the search terms with a typo),
and prints one JSON line with p50/p95 in milliseconds and the SQL queries per call.
"""

import argparse
import json
import os
import statistics
import sys
import time

from .generate import RESULTS, SIZES, database_url


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(calls) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for call in calls[:5]:  # warm-up: plans and buffers
        call()
    durations, queries = [], []
    for call in calls:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            durations.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
    return {
        "calls": len(calls),
        "p50_ms": round(statistics.median(durations), 2),
        "p95_ms": round(percentile(durations, 0.95), 2),
        "queries": max(queries),
    }


def _typo(term: str) -> str:
    words = term.split()
    longest = max(range(len(words)), key=lambda index: len(words[index]))
    word = words[longest]
    words[longest] = word[: len(word) // 2] + word[len(word) // 2 + 1 :]
    return " ".join(words)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, required=True)
    parser.add_argument("--calls", type=int, default=50, help="timed calls of each kind")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = database_url(args.size)
    import django

    django.setup()
    from claims.models import Claim
    from claims.search import in_order, search_window, similar_claims, spelled_alike

    sample = json.loads((RESULTS / f"sample-{args.size}.json").read_text(encoding="utf-8"))
    # As the search page reads its first page: the ranked window, then the rows of its first 20 ids.
    published = Claim.objects.published()
    search = [lambda term=term: in_order(published, search_window(published, term)[:20]) for term in sample["search_terms"][: args.calls]]
    similar = [lambda text=text: similar_claims(text, queryset=Claim.objects.published()) for text in sample["similar_texts"][: args.calls]]
    # A reader's typo: the search page then offers claims spelled alike (one letter of the longest word dropped).
    typos = [_typo(term) for term in sample["search_terms"][: args.calls]]
    alike = [lambda term=term: spelled_alike(published, term) for term in typos]
    print(json.dumps({"search": timed(search), "similar": timed(similar), "spelled_alike": timed(alike)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
