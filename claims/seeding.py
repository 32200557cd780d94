"""Loading the seed corpus: the five articles in seeds/articles and the claims in seeds/claims.json.

Articles go through the same import code a newsroom uses; claims through the same workflow
services (create, quote, submit, approve, publish) as the admin. Running it twice changes nothing.
"""

import json
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from sources.ingest import import_text

from . import roles, services
from .models import Claim, Claimant, Rating, Topic

SEED_DIR = Path(settings.BASE_DIR) / "seeds"
SEED_AUTHOR = "seed.recherche"
SEED_EDITOR = "seed.redaktion"
# When a seed check counts as published on a day given without a time (see `_publication_time`).
SEED_PUBLICATION_TIME = time(10)


def _seed_user(username: str, first: str, last: str, group: str):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


@transaction.atomic
def load_seeds(*, seed_dir: Path = SEED_DIR, log=print) -> dict:
    """Import seed articles and claims; returns counts of what was created."""
    created = {"sources": 0, "claims": 0, "appearances": 0}
    sources = {}
    for path in sorted((seed_dir / "articles").glob("*.txt")):
        result = import_text(path.read_bytes())
        sources[path.name] = result.source
        created["sources"] += int(result.created)
    data = json.loads((seed_dir / "claims.json").read_text(encoding="utf-8"))
    claimants = {}
    for entry in data["claimants"]:
        claimants[entry["key"]], _ = Claimant.objects.get_or_create(
            name=entry["name"], role=entry["role"], defaults={"kind": entry["kind"]}
        )
    topics = {name: Topic.objects.get_or_create(name=name)[0] for name in data["topics"]}
    author = _seed_user(SEED_AUTHOR, "Recherche", "Team", roles.REPORTER)
    editor = _seed_user(SEED_EDITOR, "Redaktion", "Faktencheck", roles.PUBLISHER)
    ratings = {rating.slug: rating for rating in Rating.objects.filter(scale__is_default=True)}
    for entry in data["claims"]:
        if Claim.objects.filter(slug=entry["slug"]).exists():
            continue
        claim = services.create_claim(
            author=author,
            topics=[topics[name] for name in entry.get("topics", [])],
            slug=entry["slug"],
            text=entry["text"],
            text_long=entry.get("text_long", ""),
            claimant=claimants[entry["claimant"]],
            claim_date=date.fromisoformat(entry["claim_date"]) if entry.get("claim_date") else None,
            rating=ratings[entry["rating"]],
            conclusion=entry["conclusion"],
            context=entry["context"],
        )
        quoted = [sources[appearance["source"]] for appearance in entry["appearances"]]
        for source, appearance in zip(quoted, entry["appearances"], strict=True):
            services.add_appearance(claim=claim, source=source, quote=appearance["quote"])
            created["appearances"] += 1
        services.submit_for_review(claim=claim, user=author)
        services.approve(claim=claim, user=editor)
        services.publish(claim=claim, user=editor, at=_publication_time(entry, quoted))
        created["claims"] += 1
    log(f"Seeds: {created['sources']} Artikel, {created['claims']} Faktenchecks, {created['appearances']} Fundstellen neu angelegt.")
    return created


def _publication_time(entry: dict, quoted: list) -> datetime:
    """When a seed check counts as published: dated like a check written right after the newest article it
    quotes, or on the entry's own `published_on` when no quoted article carries a date. An article dated
    by its day only (stored at midnight) gives that day at 10:00 in the site's time zone, like `published_on`:
    the page shows the time, and midnight would read as a real one. Never the moment the seeds happen to be
    loaded, so every installation shows the same dates.
    """
    newest = max((source.published_at for source in quoted if source.published_at), default=None)
    if newest is not None and timezone.localtime(newest).time() != time(0):
        return newest
    if newest is not None:
        day = timezone.localdate(newest)
    elif entry.get("published_on"):
        day = date.fromisoformat(entry["published_on"])
    else:
        raise ValueError(f"Seed-Faktencheck {entry['slug']}: kein datierter Artikel und kein published_on.")
    return timezone.make_aware(datetime.combine(day, SEED_PUBLICATION_TIME))
