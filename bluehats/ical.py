"""The BlueHats events as iCalendar (RFC 5545), built with the icalendar library.

Times are written in Europe/Paris with its VTIMEZONE (DTSTART;TZID=Europe/Paris:…), never
as a floating or UTC-shifted time: a webinar at 11:00 in Paris stays at 11:00 in Paris in
winter and summer. The UID is the event's uuid at the site's host, the same on every
request and after every edit; a change a calendar must apply raises SEQUENCE.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar import Event as VEvent

from bluehats.enums import EventStatus
from core.text import clean_text, safe_url

CONTENT_TYPE = "text/calendar; charset=utf-8"
STATUS = {
    EventStatus.SCHEDULED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
    # A postponed event has no new date yet: still in calendars, as tentative.
    EventStatus.POSTPONED: "TENTATIVE",
}


def site_host() -> str:
    """The host of the UIDs: the portal's public address, never the request's (a UID must
    not change with the host name a client used)."""
    return urlsplit(getattr(settings, "SITE_URL", "") or f"https://{settings.SITE_NAME}").hostname


def event_uid(event) -> str:
    return f"{event.uid}@{site_host()}"


def _text(value, *, max_length=5000) -> str:
    return clean_text(value, max_length=max_length).strip()


def vevent(event, *, base_url: str, now) -> VEvent:
    item = VEvent()
    item.add("uid", event_uid(event))
    item.add("dtstamp", now)
    if event.all_day:
        item.add("dtstart", event.local_start.date())
        item.add("dtend", event.local_end.date())
    else:
        item.add("dtstart", event.local_start)
        item.add("dtend", event.local_end)
    item.add("summary", _text(event.title, max_length=300))
    page = base_url + event.get_absolute_url()
    description = _text(event.description)
    item.add("description", f"{description}\n\n{page}".strip())
    location = _text(event.place, max_length=300) or safe_url(event.online_url)
    if not location and event.online:
        location = gettext("En ligne")
    if location:
        item.add("location", location)
    item.add("url", page)
    item.add("status", STATUS[event.status])
    item.add("sequence", event.sequence)
    item.add("last-modified", event.updated_at)
    item.add("created", event.created_at)
    return item


def paris_timezone() -> Timezone:
    """Europe/Paris as the EU has had it since 1996: summer time from the last Sunday of
    March at 02:00 to the last Sunday of October at 03:00 (the usual published VTIMEZONE,
    two rules instead of one dated line per year)."""
    zone = Timezone()
    zone.add("tzid", "Europe/Paris")
    for kind, name, start, offsets, month in (
        (TimezoneDaylight, "CEST", datetime(1970, 3, 29, 2, 0), ("+0100", "+0200"), 3),
        (TimezoneStandard, "CET", datetime(1970, 10, 25, 3, 0), ("+0200", "+0100"), 10),
    ):
        rule = kind()
        rule.add("tzname", name)
        rule.add("dtstart", start)
        rule.add("tzoffsetfrom", _offset(offsets[0]))
        rule.add("tzoffsetto", _offset(offsets[1]))
        rule.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(rule)
    return zone


def _offset(text: str) -> timedelta:
    return timedelta(hours=int(text[:3]), minutes=int(text[3:]))


def calendar(events, *, name: str, base_url: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//{site_host()}//BlueHats//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    cal.add_component(paris_timezone())
    now = timezone.now()
    for event in events:
        cal.add_component(vevent(event, base_url=base_url, now=now))
    return cal


def calendar_response(events, *, name: str, base_url: str, filename: str) -> HttpResponse:
    """Served inline, so that a browser hands it to the calendar application."""
    body = calendar(events, name=name, base_url=base_url).to_ical()
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=900"
    return response
