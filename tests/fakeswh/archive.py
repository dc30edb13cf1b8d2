"""The archive's data: origin visits, save requests, known SWHIDs, rate-limit budgets.

Plain records plus the JSON the real API gives for them, kept apart from the HTTP handling
so that tests can build and inspect them without a server.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SWHID = re.compile(r"^swh:1:(cnt|dir|rev|rel|snp):[0-9a-f]{40}$")
SHA1_HEX = re.compile(r"^[0-9a-f]{40}$")
MAX_KNOWN = 1000  # POST known/ refuses larger payloads (LargePayloadExc)

VISIT_STATUSES = ("created", "ongoing", "full", "partial", "not_found", "failed")
REQUEST_STATUSES = ("accepted", "rejected", "pending")
TASK_STATUSES = (
    "not created",
    "not yet scheduled",
    "pending",
    "scheduled",
    "running",
    "succeeded",
    "failed",
)
FINISHED_TASKS = ("succeeded", "failed")
RATE_WINDOW = 3600  # seconds until a budget refills, unless set_rate_limit says otherwise
DEFAULT_LIMITS = {"default": 700, "save": 10}


def as_datetime(value: datetime | str | None) -> datetime:
    """An aware datetime from ISO 8601 text or a datetime (naive ones are UTC; None: now)."""
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def snapshot_hex(snapshot: str | None) -> str | None:
    """A snapshot id as 40 hex digits, given as such or as a ``swh:1:snp:`` SWHID."""
    if snapshot is None:
        return None
    snapshot = snapshot.removeprefix("swh:1:snp:")
    if not SHA1_HEX.match(snapshot):
        raise ValueError(f"not a snapshot id: {snapshot!r}")
    return snapshot


@dataclass
class Visit:
    """One visit of an origin; `visit` (its number) is set when it is added to the origin."""

    date: datetime
    status: str = "full"
    snapshot: str | None = None  # 40 hex digits
    type: str = "git"
    visit: int = 0

    def to_json(self, origin: str, base_url: str) -> dict[str, Any]:
        return {
            "origin": origin,
            "visit": self.visit,
            "date": self.date.isoformat(),
            "type": self.type,
            "status": self.status,
            "snapshot": self.snapshot,
            "snapshot_url": f"{base_url}snapshot/{self.snapshot}/" if self.snapshot else None,
            "metadata": {},
        }


def visit(
    date: datetime | str | None = None,
    status: str = "full",
    snapshot: str | None = None,
    type: str = "git",
) -> Visit:
    """A visit to give `add_origin` (date: ISO 8601 text or datetime, default now)."""
    if status not in VISIT_STATUSES:
        raise ValueError(f"unknown visit status: {status!r}")
    return Visit(as_datetime(date), status, snapshot_hex(snapshot), type)


def as_visit(value: Visit | dict[str, Any]) -> Visit:
    return value if isinstance(value, Visit) else visit(**value)


@dataclass
class SaveRequest:
    """A Save Code Now request, as ``origin/save/`` reports it; tests move it along."""

    id: int
    origin_url: str
    visit_type: str
    save_request_status: str
    save_task_status: str
    save_request_date: datetime = field(default_factory=lambda: datetime.now(UTC))
    visit_status: str | None = None
    visit_date: datetime | None = None
    snapshot: str | None = None  # 40 hex digits
    note: str | None = None

    @property
    def unfinished(self) -> bool:
        """Posting again for the origin returns this request instead of creating one."""
        return (
            self.save_request_status != "rejected" and self.save_task_status not in FINISHED_TASKS
        )

    def to_json(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "origin_url": self.origin_url,
            "visit_type": self.visit_type,
            "save_request_date": self.save_request_date.isoformat(),
            "save_request_status": self.save_request_status,
            "save_task_status": self.save_task_status,
            "visit_status": self.visit_status,
            "visit_date": self.visit_date.isoformat() if self.visit_date else None,
            "snapshot_swhid": f"swh:1:snp:{self.snapshot}" if self.snapshot else None,
            "note": self.note,
            "request_url": f"{base_url}origin/save/{self.id}/",
        }


@dataclass
class RateBudget:
    """One endpoint group's budget: each request spends one; at 0 requests get 429."""

    limit: int
    remaining: int
    reset_at: int  # epoch seconds

    @classmethod
    def fresh(cls, limit: int) -> RateBudget:
        return cls(limit, limit, int(time.time()) + RATE_WINDOW)

    def refill_if_due(self) -> None:
        if time.time() >= self.reset_at:
            self.remaining = self.limit
            self.reset_at = int(time.time()) + RATE_WINDOW

    def headers(self, remaining: int | None = None, reset_at: int | None = None) -> dict:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining if remaining is None else remaining),
            "X-RateLimit-Reset": str(self.reset_at if reset_at is None else reset_at),
        }
