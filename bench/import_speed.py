"""Import throughput: `python -m bench.import_speed --count 1000`.

Generates `count` plain-text article exports (deterministic) and feeds them one by one
through `sources.ingest.import_text`, the importer editors use, into a fresh scratch
database (faktencheck_bench_import). Prints one JSON line: articles/s and peak RSS.
"""

import argparse
import json
import os
import random
import resource
import sys
import time

from . import text
from .generate import SEED, database_url, prepare_database


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args(argv)
    url = database_url("import")
    prepare_database(url, "")  # always a fresh database
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    from sources.ingest import import_text
    from sources.models import Source

    call_command("migrate", verbosity=0)
    rng = random.Random(SEED + 2)
    files = [text.article_file(rng, number) for number in range(args.count)]
    started = time.perf_counter()
    for raw in files:
        import_text(raw)
    seconds = time.perf_counter() - started
    stored = Source.objects.count()
    if stored != args.count:
        raise SystemExit(f"import stored {stored} of {args.count} articles")
    print(
        json.dumps(
            {
                "articles": args.count,
                "seconds": round(seconds, 2),
                "articles_per_s": round(args.count / seconds, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
