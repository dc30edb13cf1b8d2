"""The demo data: code.gouv.fr's real BlueHats webinars, meetups and gazette issues
(bluehats/data/, Licence Ouverte 2.0: see its README). Idempotent: rows are keyed on their
slug (events) and number (gazette), and updated in place.

The source gives days, never times. Webinars were held on Fridays 11:00–12:30 Paris time
(code.gouv.fr's own text): they are imported at 11:00–12:30 Europe/Paris, not at 11:00 UTC
as code.gouv.fr's calendar has them; the one whose description says 14h at 14:00–15:30.
Meetups are all-day events.
"""

import re
from datetime import datetime, time, timedelta
from pathlib import Path

import yaml
from django.db.models import Q

from bluehats.enums import EventKind
from bluehats.models import PARIS, Event, GazetteIssue
from catalog.models import PublicBody
from core.text import clean_line, clean_text, safe_url

DATA = Path(__file__).resolve().parent / "data"
KINDS = {"webinaire": EventKind.WEBINAR, "rencontre": EventKind.MEETUP}
WEBINAR_SLOT = (time(11, 0), time(12, 30))
# "14h" in a webinar's description or note: the one known exception to the usual slot.
AFTERNOON = re.compile(r"\b14 ?h\b")
# PeerTube's embed address → its watch page.
PEERTUBE_EMBED = re.compile(r"^(https://[^/]+)/videos/embed/([\w-]+)$")


def read(name: str) -> list[dict]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8")) or []


def watch_url(url) -> str:
    url = safe_url(url)
    match = PEERTUBE_EMBED.match(url)
    return f"{match[1]}/w/{match[2]}" if match else url


def slug_of(entry) -> str:
    return Path(entry["source_path"]).stem.lower().replace("_", "-")[:200]


def schedule(entry) -> dict:
    day = entry["date"]
    if entry["kind"] == "webinaire":
        start, end = WEBINAR_SLOT
        if AFTERNOON.search(f"{entry.get('description') or ''} {entry.get('note') or ''}"):
            start, end = time(14, 0), time(15, 30)
        return {
            "start_at": datetime.combine(day, start, PARIS),
            "end_at": datetime.combine(day, end, PARIS),
            "all_day": False,
            "online": True,
        }
    return {
        "start_at": datetime.combine(day, time(0), PARIS),
        "end_at": datetime.combine(day + timedelta(days=1), time(0), PARIS),
        "all_day": True,
        "online": False,
    }


def dinum():
    return (
        PublicBody.objects.filter(Q(acronym__iexact="DINUM") | Q(name__icontains="DINUM"))
        .exclude(slug=None)
        .order_by("pk")
        .first()
    )


def load_events(*, organiser=None) -> tuple[int, int]:
    created = updated = 0
    for entry in read("events.yml"):
        values = {
            "kind": KINDS[entry["kind"]],
            "title": clean_line(entry["title"], max_length=200),
            "description": clean_text(entry.get("description"), max_length=10_000),
            "video_url": watch_url(entry.get("video_url")),
            "slides_url": safe_url(entry.get("slides_url")),
            "source_url": safe_url(entry.get("url")),
            "organiser": organiser,
            **schedule(entry),
        }
        _event, was_created = Event.objects.update_or_create(slug=slug_of(entry), defaults=values)
        created += was_created
        updated += not was_created
    return created, updated


def load_gazette() -> tuple[int, int]:
    created = updated = 0
    for entry in read("gazette.yml"):
        _issue, was_created = GazetteIssue.objects.update_or_create(
            number=entry["number"],
            defaults={
                "published_on": entry["date"],
                "title": clean_line(entry["title"], max_length=200),
                "source_url": safe_url(entry.get("url")),
            },
        )
        created += was_created
        updated += not was_created
    return created, updated


def load(*, stdout) -> None:
    events = load_events(organiser=dinum())
    issues = load_gazette()
    stdout.write(
        f"BlueHats: {events[0]} events created, {events[1]} updated; "
        f"{issues[0]} gazette issues created, {issues[1]} updated"
    )
