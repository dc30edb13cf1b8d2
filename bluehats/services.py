"""Writes on BlueHats events and contributor profiles. Events: an agent's proposal
(moderated, once per form), its edits, and the editors' changes, which raise the calendar
SEQUENCE when attendees must be told."""

from django.db import transaction
from django.db.models import F

from bluehats.enums import EventStatus
from bluehats.models import ContributorProfile, Event
from core.text import clean_line, clean_text, free_slug
from moderation.models import initial_status
from moderation.services import create_once, update_declared

PROPOSAL_FIELDS = (
    "kind",
    "title",
    "start_at",
    "end_at",
    "online",
    "place",
    "online_url",
    "registration_url",
    "description",
    "organiser",
    "speakers",
)
# What a calendar must apply (RFC 5545 §3.8.7.4): a change raises the event's SEQUENCE.
SCHEDULE_FIELDS = ("start_at", "end_at", "all_day", "status", "place", "online_url")


def event_slug(title: str, start_at, *, exclude_pk=None) -> str:
    """A free slug from the title and the day: `webinaire-grist-2025-01-10`."""
    rows = Event.objects.exclude(pk=exclude_pk) if exclude_pk else Event.objects.all()
    name = f"{clean_line(title, max_length=150)} {start_at:%Y-%m-%d}"
    return free_slug(name, taken_in=rows, max_length=180, fallback="evenement")


def _cleaned(values: dict) -> dict:
    values = {field: values[field] for field in PROPOSAL_FIELDS}
    for field in ("title", "place", "speakers"):
        values[field] = clean_line(values[field], max_length=500)
    values["description"] = clean_text(values["description"], max_length=10_000).strip()
    return values


def propose_event(*, author, token, **values) -> tuple[Event, bool]:
    """Create the event an agent proposed (once per form `token`); it waits for moderation
    unless the author is trusted. Returns (event, created)."""
    values = _cleaned(values)
    slug = event_slug(values["title"], values["start_at"])
    return create_once(
        Event,
        token=token,
        author=author,
        moderation_status=initial_status(author),
        slug=slug,
        **values,
    )


@transaction.atomic
def update_proposal(*, event: Event, by, **values) -> Event:
    values = _cleaned(values)
    before = {field: getattr(event, field) for field in SCHEDULE_FIELDS}
    update_declared(row=event, values=values, by=by)
    changed = [field for field, value in before.items() if getattr(event, field) != value]
    if changed:
        raise_sequence(event)
    return event


def raise_sequence(event: Event) -> None:
    """One more revision for calendars (an update, not a new event: the UID stays)."""
    Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1)
    event.refresh_from_db(fields=["sequence"])


def editor_saved(event: Event, *, changed_fields) -> None:
    """After an editor's save in the admin: raise SEQUENCE if the schedule changed."""
    if event.pk and set(changed_fields) & set(SCHEDULE_FIELDS):
        raise_sequence(event)


@transaction.atomic
def cancel_event(*, event: Event) -> Event:
    """Cancel: the event stays in the calendars, as CANCELLED with a higher SEQUENCE."""
    if event.status != EventStatus.CANCELLED:
        event.status = EventStatus.CANCELLED
        event.save(update_fields=["status", "updated_at"])
        raise_sequence(event)
    return event


PROFILE_FIELDS = (
    "is_public",
    "display_name",
    "short_bio",
    "body",
    "forge_handles",
    "shows_referent_declarations",
)


@transaction.atomic
def save_profile(*, user, **values) -> ContributorProfile:
    """Create or update `user`'s contributor profile; its address follows the name given
    the first time (a later rename keeps the address, so links keep working)."""
    values = {field: values[field] for field in PROFILE_FIELDS}
    values["display_name"] = clean_line(values["display_name"], max_length=120)
    values["short_bio"] = clean_line(values["short_bio"], max_length=300)
    values["body"] = clean_text(values["body"], max_length=5000).strip()
    profile = ContributorProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        slug = free_slug(
            values["display_name"],
            taken_in=ContributorProfile.objects.all(),
            max_length=100,
            fallback="contributeur",
            reserved=("mon-profil",),
        )
        return ContributorProfile.objects.create(user=user, slug=slug, **values)
    for field, value in values.items():
        setattr(profile, field, value)
    profile.save()
    return profile
