"""Rendering time of the public claim list on a benchmark database: keyset pages against offset pages.

`python -m bench.claim_list_pages --size 100k` renders `/faktenchecks/` through the Django test
client (no HTTP, no page cache): the first page, a page 90 % deep reached by keyset cursor, pages
filtered by rating, by claimant and by topic, and for comparison the same deep rows fetched with
OFFSET plus a full COUNT(*) (what Django's Paginator would do). Prints one JSON line with p50 in
milliseconds.
"""

import argparse
import json
import os
import statistics
import time

from .generate import SIZES, database_url


def p50(call, calls: int) -> float:
    call()  # warm-up
    durations = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(durations), 2)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, required=True)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = database_url(args.size)
    os.environ.setdefault("PUBLIC_PAGE_CACHE_SECONDS", "0")
    import django

    django.setup()
    from django.test import Client

    from claims.models import Claim
    from claims.pagination import encode_cursor

    client = Client(HTTP_HOST="localhost")
    published = Claim.objects.published().order_by("-published_at", "-id")
    total = published.count()
    deep = published[int(total * 0.9)]
    deep_url = f"/faktenchecks/?nach={encode_cursor(deep)}"
    newest = published.select_related("claimant").first()
    claimant_url = f"/faktenchecks/?claimant={newest.claimant.slug}"
    topic_url = f"/faktenchecks/?topic={newest.topics.order_by('pk').first().slug}"
    for url in (deep_url, claimant_url, topic_url):
        assert client.get(url).status_code == 200, url

    def offset_page():
        published.count()
        list(published.select_related("claimant", "rating")[int(total * 0.9) : int(total * 0.9) + 20])

    print(
        json.dumps(
            {
                "size": args.size,
                "published": total,
                "first_page_ms": p50(lambda: client.get("/faktenchecks/"), args.calls),
                "keyset_deep_page_ms": p50(lambda: client.get(deep_url), args.calls),
                "filtered_page_ms": p50(lambda: client.get("/faktenchecks/?rating=falsch"), args.calls),
                "claimant_page_ms": p50(lambda: client.get(claimant_url), args.calls),
                "topic_page_ms": p50(lambda: client.get(topic_url), args.calls),
                "offset_deep_rows_and_count_ms": p50(offset_page, args.calls),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
