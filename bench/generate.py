"""Create and fill a benchmark database: `python -m bench.generate --size 10k`.

Each size gets its own database on the same server as DATABASE_URL (faktencheck_bench_1k,
…_10k, …_100k), migrated like production and filled deterministically (seed 2026):

* sources of article length (3,000–6,000 characters of German news prose), several
  outlets, about one source per three claims;
* claims with claimant, 1–3 topics, a rating, a Markdown context rendered like the admin
  does, and 2–3 appearances each whose quote is a sentence that really stands in the
  source at the stored offsets (the first appearance is the earliest-dated source);
* drafts, claims in review, withdrawn and future-scheduled claims next to the published
  ones, and public corrections on about 5 % of the published claims;
* the stored related claims of every published claim (`claims.related.refresh_all`), as
  the workflow stores them when claims are published one by one;
* the stored API list item and detail line of every claim
  (`claims.api.lean.store_missing_list_items`), as saving a claim stores them; also written
  for a loaded database that lacks them.

Rows go in with `bulk_create`; a finished load is recorded as a comment on the database,
so running the command again with the same size and seed does nothing.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from . import text

SIZES = {"50": 50, "1k": 1_000, "10k": 10_000, "100k": 100_000}
SEED = 2026
FORMAT = 2  # bump when the generated data changes shape
RESULTS = Path(__file__).resolve().parent / "results"
EPOCH = datetime(2023, 1, 1, 6, 0, tzinfo=UTC)
LATEST = datetime(2026, 6, 30, 18, 0, tzinfo=UTC)  # newest source: the archive lies in the past
SCHEDULED = datetime(2031, 1, 1, 6, 0, tzinfo=UTC)


def database_name(label: str) -> str:
    return f"faktencheck_bench_{label}"


def database_url(label: str, base_url: str | None = None) -> str:
    """DATABASE_URL of the benchmark database for `label`, on the server of `base_url`."""
    parts = urlsplit(base_url or os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + database_name(label)))


def _server_conninfo(url: str) -> dict:
    import dj_database_url

    config = dj_database_url.parse(url)
    return {
        "host": config["HOST"],
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }


def prepare_database(url: str, marker: str) -> bool:
    """Create the database afresh unless it already holds the data `marker` describes.

    Returns True when the database is new and must be loaded.
    """
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(**_server_conninfo(url)) as server:
        row = server.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row is not None and row[0] == marker:
            return False
        if row is not None:
            server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')
    return True


def mark_loaded(url: str, marker: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(**_server_conninfo(url)) as server:
        server.execute(f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")


def load(size: int, *, seed: int = SEED, log=print) -> dict:
    """Fill the (migrated, empty) current database with `size` claims."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils.text import slugify

    from claims.choices import ClaimantKind, ClaimStatus, CorrectionKind
    from claims.markup import render_markdown
    from claims.models import Appearance, Claim, Claimant, Correction, Rating, Topic
    from claims.related import refresh_all
    from sources.models import Outlet, Source, content_hash

    rng = random.Random(seed)
    started = time.monotonic()
    batch = 2000
    with transaction.atomic():
        users = get_user_model()
        author, _ = users.objects.get_or_create(username="bench.recherche", defaults={"is_staff": True})
        editor, _ = users.objects.get_or_create(username="bench.redaktion", defaults={"is_staff": True})
        ratings = list(Rating.objects.filter(scale__is_default=True).order_by("order"))
        outlets = Outlet.objects.bulk_create(Outlet(name=name, domain=f"{slugify(name).replace('-', '')}.example") for name in text.OUTLETS)
        topics = Topic.objects.bulk_create(Topic(name=name, slug=slugify(name)) for name in text.TOPICS)

        claimants, seen = [], set()
        for number in range(max(20, size // 50)):
            name, role = text.person(rng)
            while (name, role) in seen:
                name = f"{name.split()[0]} {chr(65 + rng.randrange(26))}. {name.split()[-1]}"
            seen.add((name, role))
            claimants.append(Claimant(name=name, role=role, kind=ClaimantKind.PERSON, slug=f"{slugify(name)}-{number}"))
        claimants = Claimant.objects.bulk_create(claimants, batch_size=batch)

        # Sources, oldest first, spread over three and a half years.
        source_count = max(10, size // 3)
        span = (LATEST - EPOCH).total_seconds()
        sources, sentences = [], []
        for number in range(source_count):
            body, said = text.article(rng)
            title = text.headline(rng)
            digest = content_hash(body)
            outlet = outlets[number % len(outlets)]
            sources.append(
                Source(
                    title=title,
                    slug=f"{slugify(title)[:100].strip('-')}-{digest[:8]}",
                    url=f"https://{outlet.domain}/artikel/{number}",
                    outlet=outlet,
                    agency=rng.choice(["dpa", "AFP", "Reuters", "epd", ""]),
                    author=" ".join(text.person(rng)[0:1]),
                    published_at=EPOCH + timedelta(seconds=span * number / source_count),
                    teaser=text.sentence(rng),
                    body=body,
                    content_hash=digest,
                    raw=b"",
                )
            )
            sentences.append([(body.find(s), body.find(s) + len(s)) for s in said])
        sources = Source.objects.bulk_create(sources, batch_size=500)
        log(f"  {source_count} Quellen ({time.monotonic() - started:.0f} s)")

        claims, plans = [], []
        for number in range(size):
            statement = text.claim_statement(rng)
            centre = number * source_count // size
            window = range(max(0, centre - 15), min(source_count, centre + 15))
            quoted = rng.sample(list(window), k=min(len(window), rng.choice([2, 2, 2, 3])))
            newest = max(sources[index].published_at for index in quoted)
            roll = rng.random()
            status, published_at = ClaimStatus.PUBLISHED, newest + timedelta(hours=rng.randint(2, 72))
            if roll < 0.04:
                status, published_at = ClaimStatus.DRAFT, None
            elif roll < 0.06:
                status, published_at = ClaimStatus.IN_REVIEW, None
            elif roll < 0.07:
                status = ClaimStatus.WITHDRAWN
            elif roll < 0.08:
                published_at = SCHEDULED + timedelta(days=number % 300)
            context = text.context_markdown(rng, statement)
            rating = rng.choice(ratings)
            claims.append(
                Claim(
                    text=statement,
                    text_long=f"{statement}, sagte {rng.choice(text.SUBJECTS)} sinngemäß." if rng.random() < 0.3 else "",
                    slug=f"{slugify(statement)[:70].strip('-')}-{number}",
                    claimant=rng.choice(claimants),
                    claim_date=(newest - timedelta(days=rng.randint(0, 3))).date(),
                    rating=rating,
                    conclusion=f"{rating.label}: {text.sentence(rng)}"[:300],
                    context=context,
                    context_html=render_markdown(context),
                    status=status,
                    published_at=published_at,
                    valid_as_of=published_at.date() if published_at else None,
                    author=author,
                    approved_by=editor if status != ClaimStatus.DRAFT else None,
                )
            )
            plans.append((quoted, rng.sample(topics, k=rng.randint(1, 3))))
        claims = Claim.objects.bulk_create(claims, batch_size=batch)
        log(f"  {size} Faktenchecks ({time.monotonic() - started:.0f} s)")

        appearances, links, corrections = [], [], []
        through = Claim.topics.through
        for claim, (quoted, claim_topics) in zip(claims, plans, strict=True):
            earliest = min(quoted, key=lambda index: sources[index].published_at)
            for index in quoted:
                start, end = rng.choice(sentences[index])
                source = sources[index]
                appearances.append(
                    Appearance(
                        claim=claim,
                        source=source,
                        quote=source.body[start:end],
                        start=start,
                        end=end,
                        passage=source.body[start:end],
                        is_first=index == earliest,
                    )
                )
            links.extend(through(claim_id=claim.pk, topic_id=topic.pk) for topic in claim_topics)
            if claim.status == ClaimStatus.PUBLISHED and rng.random() < 0.05:
                kind = rng.choice([CorrectionKind.CORRECTION, CorrectionKind.UPDATE, CorrectionKind.VERDICT_CHANGE])
                corrections.append(
                    Correction(
                        claim=claim,
                        date=claim.published_at + timedelta(days=rng.randint(1, 60)),
                        kind=kind,
                        note=f"Nach Hinweis von Leserinnen präzisiert: {text.sentence(rng)}",
                        old_rating=claim.rating,
                        new_rating=claim.rating,
                        old_conclusion=claim.conclusion,
                        new_conclusion=claim.conclusion,
                        created_by=editor,
                    )
                )
        Appearance.objects.bulk_create(appearances, batch_size=batch)
        through.objects.bulk_create(links, batch_size=batch)
        Correction.objects.bulk_create(corrections, batch_size=batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # Bulk rows skip the workflow, which stores each claim's related claims: store them all.
    related_started = time.monotonic()
    refresh_all()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_relatedclaim")
    counts = {
        "claims": size,
        "published": Claim.objects.published().count(),
        "sources": source_count,
        "appearances": len(appearances),
        "corrections": len(corrections),
        "claimants": len(claimants),
        "seconds": round(time.monotonic() - started, 1),
        "related_seconds": round(time.monotonic() - related_started, 1),
    }
    log(f"  geladen: {counts}")
    return counts


def write_sample(label: str, *, seed: int = SEED) -> Path:
    """URLs and inputs the runner uses against this database (slugs, deep page, queries)."""
    from claims.models import Claim
    from sources.models import Source

    rng = random.Random(seed + 1)
    published = Claim.objects.published()
    count = published.count()
    claims = list(published.order_by("?").values_list("slug", "text")[:300]) if count else []
    deep_page = max(1, (count // 20) * 9 // 10)
    deep_query = f"?page={deep_page}"
    if count:
        try:  # keyset pages: the cursor of the claim 90 % down the list
            from claims.pagination import AFTER, encode_cursor
        except ImportError:
            pass
        else:
            deep_claim = published.order_by("-published_at", "-id")[(deep_page - 1) * 20]
            deep_query = f"?{AFTER}={encode_cursor(deep_claim)}"
    sample = {
        "label": label,
        "published": count,
        "deep_list_query": deep_query,
        "claim_slugs": [slug for slug, _ in claims[:200]],
        "source_slugs": list(Source.objects.public().order_by("?").values_list("slug", flat=True)[:100]),
        "deep_page": deep_page,
        "search_terms": text.search_terms(rng, 100),
        "similar_texts": [text_ for _, text_ in claims[200:300]] or [text.claim_statement(rng) for _ in range(20)],
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"sample-{label}.json"
    path.write_text(json.dumps(sample, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="reload even when the database is up to date")
    args = parser.parse_args(argv)
    url = database_url(args.size)
    marker = f"faktencheck-bench format={FORMAT} size={SIZES[args.size]} seed={args.seed}"
    fresh = prepare_database(url, "" if args.force else marker)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # also when the data is current: the code may have new migrations
    if fresh:
        print(f"{database_name(args.size)}: {SIZES[args.size]} Faktenchecks erzeugen", flush=True)
        load(SIZES[args.size], seed=args.seed)
        mark_loaded(url, marker)
    else:
        print(f"{database_name(args.size)}: Daten aktuell ({marker})")
    # Bulk rows send no signals: store the items saving would store (nothing to do when current).
    from claims.api.lean import store_missing_list_items

    if stored := store_missing_list_items():
        print(f"{database_name(args.size)}: {stored} API-Listeneinträge und -Details gespeichert", flush=True)
    write_sample(args.size, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
