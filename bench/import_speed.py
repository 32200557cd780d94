"""Import throughput: `python -m bench.import_speed --count 1000 [--format html]`.

Generates `count` plain-text article exports (deterministic) and feeds them one by one
through `sources.ingest.import_text`, the importer editors use, into a fresh scratch
database (faktencheck_bench_import). With `--format html` each article is wrapped in a
web page (navigation, article, footer) and goes through `import_source` as an uploaded
.html file, i.e. through trafilatura. Prints one JSON line: articles/s and peak RSS.
"""

import argparse
import html
import json
import os
import random
import resource
import sys
import time

from . import text
from .generate import SEED, database_url, prepare_database


def html_page(raw: bytes) -> bytes:
    """The text export as a news web page: the same title and paragraphs inside page furniture."""
    title, *paragraphs = [part.strip() for part in raw.decode("utf-8").split("\n\n") if part.strip()]
    body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta property="og:site_name" content="Bench-Zeitung"></head><body>'
        '<nav><a href="/">Startseite</a> <a href="/politik/">Politik</a></nav>'
        f"<article><h1>{html.escape(title)}</h1>{body}</article>"
        '<footer><a href="/impressum">Impressum</a></footer></body></html>'
    ).encode()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--format", choices=["text", "html"], default="text")
    args = parser.parse_args(argv)
    url = database_url("import")
    prepare_database(url, "")  # always a fresh database
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    from sources.ingest import import_source, import_text
    from sources.models import Source

    call_command("migrate", verbosity=0)
    rng = random.Random(SEED + 2)
    files = [text.article_file(rng, number) for number in range(args.count)]
    if args.format == "html":
        files = [html_page(raw) for raw in files]
    started = time.perf_counter()
    for raw in files:
        if args.format == "html":
            import_source(data=raw, filename="artikel.html")
        else:
            import_text(raw)
    seconds = time.perf_counter() - started
    stored = Source.objects.count()
    if stored != args.count:
        raise SystemExit(f"import stored {stored} of {args.count} articles")
    print(
        json.dumps(
            {
                "format": args.format,
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
