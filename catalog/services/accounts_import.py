"""Import the official list of public bodies' forge accounts (comptes-organismes-publics.yml).

Format: top-level keys are forge hosts; each has `forge` (kind), optional `owners` (a mapping
of owner path -> attributes, or a list of paths), and optional `pso_id`, `ignored_since`,
`floss_policy`, `ospo_url`, plus `api_url` (our extension: GitHub Enterprise, test forges).
A forge without owners is dedicated to public code and harvested whole.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from catalog.enums import ForgeKind
from catalog.models import Forge, Owner, PublicBody
from catalog.services.public_bodies import name_from_shipped_lists
from core import sources
from core.text import clean_line, safe_url

DEFAULT_SOURCE = Path(__file__).resolve().parent.parent / "data" / "comptes-organismes-publics.yml"
HOST_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9-]{1,63})*(:\d+)?$"
)
OWNER_RE = re.compile(r"^[\w.\-]+(/[\w.\-]+)*$")
OWNER_KEYS = {"pso_id", "ignored_since", "floss_policy", "ospo_url"}
MAX_BYTES = 5 * 1024 * 1024


class AccountsFileError(Exception):
    """The whole file cannot be read: nothing is imported."""


class AccountsDownloadError(AccountsFileError):
    """The file could not be downloaded: worth trying again later."""


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.ignored)} ignored, "
            f"{len(self.invalid)} invalid, {len(self.unlisted)} no longer listed"
        )


class _Invalid(Exception):
    pass


def read_source(source: str | Path | None) -> str:
    """The file's text, from a path or an http(s) URL (with a timeout)."""
    return sources.read_source(
        source,
        default=DEFAULT_SOURCE,
        max_bytes=MAX_BYTES,
        error=AccountsFileError,
        download_error=AccountsDownloadError,
    )


def _date(value, where: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _Invalid(f"{where}: ignored_since {value!r} is not a date (YYYY-MM-DD)") from None


def _url(value, key: str, where: str) -> str:
    if value in (None, ""):
        return ""
    text = str(value).strip()
    if "://" not in text or safe_url(text, max_length=500) != text:
        raise _Invalid(f"{where}: {key} {text!r} is not an http(s) URL")
    return text


def _text(value, key: str, where: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, (str, int)):
        raise _Invalid(f"{where}: {key} should be a string")
    return clean_line(value, max_length=64)


def _attributes(entry, allowed: set[str], where: str) -> dict:
    if entry is None:
        entry = {}
    if not isinstance(entry, dict):
        raise _Invalid(f"{where}: expected a mapping of attributes, got {type(entry).__name__}")
    unknown = sorted(set(map(str, entry)) - allowed)
    if unknown:
        raise _Invalid(f"{where}: unknown key(s) {', '.join(unknown)}")
    return {
        "pso_id": _text(entry.get("pso_id"), "pso_id", where),
        "ignored_since": _date(entry.get("ignored_since"), where),
        "floss_policy": _url(entry.get("floss_policy"), "floss_policy", where),
        "ospo_url": _url(entry.get("ospo_url"), "ospo_url", where),
    }


def _parse_forge(host, entry) -> tuple[dict, list[tuple[str, dict]], list[str]]:
    """(forge fields, [(owner path, owner fields)], invalid owner lines) or raise _Invalid."""
    host = str(host).strip().lower()
    if not HOST_RE.match(host):
        raise _Invalid(f"{host}: not a forge host name")
    if not isinstance(entry, dict):
        raise _Invalid(f"{host}: expected a mapping with at least a 'forge' key")
    kind = str(entry.get("forge") or "").strip().lower()
    if kind not in ForgeKind.values:
        expected = ", ".join(ForgeKind.values)
        raise _Invalid(f"{host}: unknown forge {kind or '(missing)'!r} (expected {expected})")
    forge_attrs = {k: v for k, v in entry.items() if k not in {"forge", "owners", "api_url"}}
    attrs = _attributes(forge_attrs, OWNER_KEYS, host)
    api_url = _url(entry.get("api_url"), "api_url", host).rstrip("/")
    if host in {"github.com", "gitlab.com"} and not entry.get("owners"):
        raise _Invalid(f"{host}: a shared forge needs a list of owners")
    raw_owners = entry.get("owners")
    if isinstance(raw_owners, list):
        raw_owners = dict.fromkeys(raw_owners)
    if raw_owners is not None and not isinstance(raw_owners, dict):
        raise _Invalid(f"{host}: owners should be a mapping or a list")
    owners, invalid = [], []
    for path, owner_entry in (raw_owners or {}).items():
        path = str(path).strip().strip("/")
        where = f"{host}/{path}"
        try:
            if not OWNER_RE.match(path):
                raise _Invalid(f"{where}: not an owner path")
            owners.append((path, _attributes(owner_entry, OWNER_KEYS, where)))
        except _Invalid as exc:
            invalid.append(str(exc))
    forge = {
        "kind": kind,
        "api_url": api_url or Forge.default_api_url(host, kind),
        # A forge listed without owners is dedicated to public code; one whose owners were
        # all invalid is not (harvesting it whole could mean all of gitlab.com).
        "harvest_whole": not raw_owners and not invalid,
        **attrs,
    }
    return {"host": host, **forge}, owners, invalid


def _public_body(pso_id: str, cache: dict) -> PublicBody | None:
    if not pso_id:
        return None
    if pso_id not in cache:
        cache[pso_id], _ = PublicBody.objects.get_or_create(pso_id=pso_id)
    return cache[pso_id]


def _apply(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _create_or_update(row, model, fields: dict, *, key: dict, label: str, report, today):
    """`row` with `fields` applied (saved only when one changed), or, when `row` is None, a
    new `model` row made of `key` and `fields`: forges and owners are upserted alike.
    `report` records under `label` which it was, and whether the row is ignored by now."""
    if row is None:
        row = model.objects.create(**key, **fields)
        report.added.append(label)
    elif _apply(row, fields):
        row.save()
        report.updated.append(label)
    else:
        report.unchanged.append(label)
    if row.ignored_since and row.ignored_since <= today:
        report.ignored.append(label)
    return row


def import_accounts(*, text: str, today: datetime.date | None = None) -> ImportReport:
    """Upsert forges and owners from the file's text; invalid entries are reported, not fatal."""
    today = today or timezone.localdate()
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AccountsFileError(f"not valid YAML: {exc}") from None
    if not isinstance(document, dict):
        raise AccountsFileError("expected a mapping of forge hosts at the top level")

    report = ImportReport()
    bodies: dict[str, PublicBody] = {}
    with transaction.atomic():
        listed_owner_ids = set()
        for host, entry in document.items():
            try:
                fields, owners, invalid = _parse_forge(host, entry)
            except _Invalid as exc:
                report.invalid.append(str(exc))
                continue
            report.invalid.extend(invalid)
            host = fields.pop("host")
            fields["public_body"] = _public_body(fields["pso_id"], bodies)
            forge = _create_or_update(
                Forge.objects.filter(host=host).first(),
                Forge,
                fields,
                key={"host": host},
                label=host,
                report=report,
                today=today,
            )
            for path, owner_fields in owners:
                label = f"{host}/{path}"
                owner_fields["public_body"] = _public_body(owner_fields["pso_id"], bodies)
                owner_fields["listed"] = True
                owner = _create_or_update(
                    Owner.objects.filter(forge=forge, path__iexact=path).first(),
                    Owner,
                    owner_fields,
                    key={"forge": forge, "path": path},
                    label=label,
                    report=report,
                    today=today,
                )
                listed_owner_ids.add(owner.pk)
        # Owners dropped from the file stop being harvested; their repositories stay.
        dropped = Owner.objects.filter(listed=True).exclude(pk__in=listed_owner_ids)
        report.unlisted = [str(owner) for owner in dropped.select_related("forge")]
        dropped.update(listed=False)
        # The bodies this file refers to get names a person can read.
        name_from_shipped_lists()
    return report
