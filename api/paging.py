"""Keyset (cursor) pages over a stable, indexed order, and the incremental sync.

Two orders, each unique and on an index:

- ``id`` (the default of a full listing): rows are never renumbered, so a client that pages
  through a list while rows are inserted and updated gets every row once, the new ones at
  the end;
- ``modified_at`` (``(modified_at, id)``, the default with ``updated_since``): what changed
  last comes last; a row changed while a client pages comes again later, with its new
  values.

A cursor is the position after (or, going back, before) the last row of a page, never an
offset: every page costs one index range scan, however deep. With ``updated_since`` a page
merges the rows changed since then (serialised when they match the list and its filters,
else tombstones: gone, unpublished, or no longer matching) and the rows deleted since then
(``api.Deletion``), in the same order.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from api.errors import InvalidParams
from api.models import Deletion

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
ORDERINGS = ("id", "modified_at")


@dataclass(frozen=True)
class Position:
    """Where a page starts: after `key` (before it when `back`), in `ordering`."""

    ordering: str
    key: tuple
    back: bool = False

    def encode(self) -> str:
        stamp, pk = (None, self.key[0]) if self.ordering == "id" else self.key
        data = {"o": self.ordering, "i": pk, "b": int(self.back)}
        if stamp is not None:
            data["m"] = stamp.isoformat()
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str, ordering: str) -> Position:
    """The position a `cursor` parameter names, or InvalidParams."""
    problem = InvalidParams(
        [
            {
                "name": "cursor",
                "reason": _(
                    "Curseur invalide : reprenez depuis la première page, puis suivez les "
                    "liens next et previous sans les modifier."
                ),
            }
        ]
    )
    try:
        padded = value + "=" * (-len(value) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        pk = data["i"]
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk < 2**63:
            raise ValueError
        if data["o"] != ordering:
            raise ValueError
        if ordering == "id":
            return Position("id", (pk,), bool(data.get("b")))
        stamp = parse_datetime(data["m"]) if isinstance(data.get("m"), str) else None
        if stamp is None or timezone.is_naive(stamp):
            raise ValueError
        return Position(ordering, (stamp, pk), bool(data.get("b")))
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error, RecursionError):
        raise problem from None


def parse_page_size(value) -> int:
    if value in (None, ""):
        return PAGE_SIZE
    value = str(value).strip()
    if not value.isdigit() or not 1 <= int(value[:8]) <= MAX_PAGE_SIZE or len(value) > 7:
        raise InvalidParams(
            [
                {
                    "name": "page_size",
                    "reason": _("Un nombre entier de 1 à %(max)s.") % {"max": MAX_PAGE_SIZE},
                }
            ]
        )
    return int(value)


def parse_since(value) -> datetime | None:
    """An aware datetime from ISO 8601 (a date: its midnight; no offset: UTC)."""
    if value in (None, ""):
        return None
    parsed = None
    try:
        parsed = parse_datetime(value.strip())
        if parsed is None:
            day = parse_date(value.strip())
            parsed = datetime(day.year, day.month, day.day) if day else None
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise InvalidParams(
            [
                {
                    "name": "updated_since",
                    "reason": _(
                        "Une date ISO 8601, par exemple 2026-12-01T08:00:00Z ou 2026-12-01."
                    ),
                }
            ]
        )
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_ordering(value, *, syncing: bool) -> str:
    if value in (None, ""):
        return "modified_at" if syncing else "id"
    if value not in ORDERINGS:
        raise InvalidParams(
            [
                {
                    "name": "ordering",
                    "reason": _("Ordre inconnu ; valeurs possibles : %(values)s.")
                    % {"values": ", ".join(ORDERINGS)},
                }
            ]
        )
    return value


def keyset(queryset, position: Position | None, *, fields: tuple[str, str], ordering: str):
    """`queryset` from `position` on, in its order (`fields`: the stamp and id columns)."""
    stamp_field, id_field = fields
    back = position is not None and position.back
    if ordering == "id":
        order = (f"-{id_field}",) if back else (id_field,)
        if position is not None:
            lookup = "lt" if back else "gt"
            queryset = queryset.filter(**{f"{id_field}__{lookup}": position.key[0]})
        return queryset.order_by(*order)
    order = (f"-{stamp_field}", f"-{id_field}") if back else (stamp_field, id_field)
    if position is not None:
        stamp, pk = position.key
        strict, wide = ("lt", "lte") if back else ("gt", "gte")
        # The first condition starts the index range scan; the second skips the ties.
        queryset = queryset.filter(
            Q(**{f"{stamp_field}__{wide}": stamp}),
            Q(**{f"{stamp_field}__{strict}": stamp}) | Q(**{f"{id_field}__{strict}": pk}),
        )
    return queryset.order_by(*order)


@dataclass
class Entry:
    """One item of a page: a row to serialise (`pk`) or a tombstone (`deleted_at`)."""

    key: tuple
    pk: int
    deleted_at: datetime | None = None
    stamp: datetime | None = None


@dataclass
class Page:
    entries: list[Entry]
    next: Position | None
    previous: Position | None

    @property
    def last_modified(self) -> datetime | None:
        stamps = [entry.stamp for entry in self.entries if entry.stamp is not None]
        return max(stamps, default=None)


def key_of(ordering: str, stamp, pk) -> tuple:
    return (pk,) if ordering == "id" else (stamp, pk)


def build_page(
    *, listed, changed=None, table: str = "", gone_field: str = "", position, size, ordering
):
    """One page. `listed`: the rows of the list (filters applied). With `changed` (the
    model's rows changed since the sync's date, unfiltered), the page holds those rows,
    serialised when `listed` has them, else as tombstones, and the rows of `table` deleted
    since then (`changed` carries that date as `since`)."""
    back = position is not None and position.back
    if changed is None:
        columns = ("modified_at", "pk")
        rows = keyset(listed, position, fields=columns, ordering=ordering)
        found = list(rows.values_list("modified_at", "pk")[: size + 1])
        entries = [Entry(key_of(ordering, stamp, pk), pk, stamp=stamp) for stamp, pk in found]
    else:
        queryset, since = changed
        columns = ["modified_at", "pk"] + ([gone_field] if gone_field else [])
        rows = keyset(queryset, position, fields=("modified_at", "pk"), ordering=ordering)
        found = list(rows.values_list(*columns)[: size + 1])
        deleted = keyset(
            Deletion.objects.of_table(table).filter(deleted_at__gt=since),
            position,
            fields=("deleted_at", "object_id"),
            ordering=ordering,
        )
        gone_rows = list(deleted.values_list("deleted_at", "object_id")[: size + 1])
        ids = [row[1] for row in found]
        live = set(listed.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        entries = []
        for row in found:
            stamp, pk = row[0], row[1]
            tombstone = None if pk in live else (row[2] if gone_field and row[2] else stamp)
            entries.append(Entry(key_of(ordering, stamp, pk), pk, tombstone, stamp))
        entries += [Entry(key_of(ordering, stamp, pk), pk, stamp, stamp) for stamp, pk in gone_rows]
        entries.sort(key=lambda entry: entry.key, reverse=back)
    more = len(entries) > size
    entries = entries[:size]
    if back:
        entries.reverse()
    first, last = (entries[0].key, entries[-1].key) if entries else (None, None)
    if back:
        following = Position(ordering, last) if entries else None
        preceding = Position(ordering, first, back=True) if more else None
    else:
        following = Position(ordering, last) if more else None
        preceding = (
            Position(ordering, first, back=True) if position is not None and entries else None
        )
    return Page(entries, following, preceding)
