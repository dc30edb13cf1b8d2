"""Import the SILL from the format published in 2022 (sill.json, one object per software).

Short keys: id (SILL id), i name, f function, c category, se sector, g ministerial group,
l licence, st status (R recommended, O observation, FR no longer recommended), v- / v+
minimal / maximal version, y years ("2018 ; 2019"), su support market ("Oui"), u usage
context, a developed by the administration ("Oui"), p parent (a name), si similar (SILL
ids "162 ; 173"), la GouvTech catalogue page, co Comptoir du Libre id, frama Framalibre
entry, logo, website, sources, doc, fr-desc, en-desc.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.text import slugify

from catalog.licenses import NOASSERTION, normalize_license, spdx_licensing
from catalog.models import Repository
from core import sources
from core.signals import catalogue_changed
from core.text import clean_text, safe_url
from sill.enums import SoftwareStatus
from sill.models import RESERVED_SLUGS, Software

DEFAULT_SOURCE = Path(__file__).resolve().parent / "data" / "sill-2022.json"
STATUSES = {
    "R": SoftwareStatus.RECOMMENDED,
    "O": SoftwareStatus.OBSERVATION,
    "FR": SoftwareStatus.DEREFERENCED,
}
MAX_BYTES = 20 * 1024 * 1024


class SillFileError(Exception):
    """The file cannot be read at all: nothing is imported."""


@dataclass
class SillReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.added)} added, {len(self.updated)} updated, {len(self.invalid)} invalid"


class _Invalid(Exception):
    pass


def read_source(source: str | Path | None) -> str:
    """The file's text, from a path or an http(s) URL (with a timeout)."""
    return sources.read_source(
        source, default=DEFAULT_SOURCE, max_bytes=MAX_BYTES, error=SillFileError
    )


def _text(entry, key) -> str:
    """A value of the file through the text boundary (core.text)."""
    return clean_text(entry.get(key)).strip()


def _url(entry, key) -> str:
    return safe_url(entry.get(key))


@functools.cache
def _license(value: str) -> str:
    if not value:
        return ""
    try:
        return str(spdx_licensing().parse(value, validate=True, strict=True))
    except Exception:  # the library raises several types for invalid expressions
        normalised = normalize_license(value)
        return "" if normalised == NOASSERTION else normalised


def _years(value: str) -> list[int]:
    return sorted(
        {int(part) for part in value.replace(",", ";").split(";") if part.strip().isdigit()}
    )


def parse_entry(entry) -> dict:
    if not isinstance(entry, dict):
        raise _Invalid(f"entry of type {type(entry).__name__}: expected an object")
    sill_id = _text(entry, "id")
    name = _text(entry, "i")
    where = f"id {sill_id or '?'} ({name or 'no name'})"
    if not sill_id.isdigit():
        raise _Invalid(f"{where}: the id is not a number")
    if not name:
        raise _Invalid(f"{where}: the name (i) is missing")
    status = STATUSES.get(_text(entry, "st"))
    if status is None:
        raise _Invalid(f"{where}: unknown status {_text(entry, 'st')!r} (expected R, O or FR)")
    frama = entry.get("frama") or {}
    return {
        "sill_id": int(sill_id),
        "name": name[:200],
        "function": _text(entry, "f")[:500],
        "category": _text(entry, "c")[:200],
        "sector": _text(entry, "se")[:200],
        "proposed_by": _text(entry, "g")[:100],
        "license": _license(_text(entry, "l")),
        "status": status,
        "min_version": _text(entry, "v-")[:100],
        "max_version": _text(entry, "v+")[:100],
        "years": _years(_text(entry, "y")),
        "support_market": _text(entry, "su").lower() == "oui",
        "made_by_administration": _text(entry, "a").lower() == "oui",
        "usage_context": _text(entry, "u")[:500],
        "label_url": _url(entry, "la"),
        "comptoir_id": _text(entry, "co")[:32],
        "framalibre_id": str(frama.get("encoded-name") or "")[:200]
        if isinstance(frama, dict)
        else "",
        "logo_url": _url(entry, "logo"),
        "website": _url(entry, "website"),
        "source_url": _url(entry, "sources"),
        "documentation_url": _url(entry, "doc"),
        "description_fr": _text(entry, "fr-desc"),
        "description_en": _text(entry, "en-desc"),
        "_parent": _text(entry, "p"),
        "_similar": [int(p) for p in _text(entry, "si").split(";") if p.strip().isdigit()],
    }


def _unique_slug(name: str, sill_id: int, taken: set[str]) -> str:
    base = slugify(name)[:180] or f"logiciel-{sill_id}"
    slug = base if base not in taken else f"{base}-{sill_id}"
    taken.add(slug)
    return slug


def _normalise_url(url: str) -> str:
    return url.lower().rstrip("/").removesuffix(".git")


def import_sill(*, text: str) -> SillReport:
    """Upsert software matched on their SILL id; invalid entries are reported, not fatal."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise SillFileError(f"not valid JSON: {exc}") from None
    if not isinstance(document, list):
        raise SillFileError("expected a JSON list of software")

    report = SillReport()
    parsed = []
    for entry in document:
        try:
            parsed.append(parse_entry(entry))
        except _Invalid as exc:
            report.invalid.append(str(exc))

    with transaction.atomic():
        existing = {s.sill_id: s for s in Software.objects.filter(sill_id__isnull=False)}
        taken = set(Software.objects.values_list("slug", flat=True)) | RESERVED_SLUGS
        candidates = set()
        for values in parsed:
            if values["source_url"]:
                bare = values["source_url"].rstrip("/").removesuffix(".git")
                candidates.update({bare, bare + "/", bare + ".git"})
        repositories = {
            _normalise_url(url): pk
            for pk, url in Repository.objects.visible()
            .filter(web_url__in=candidates)
            .values_list("pk", "web_url")
        }
        by_id = {}
        for values in parsed:
            links = {"parent": values.pop("_parent"), "similar": values.pop("_similar")}
            values["source_repository_id"] = repositories.get(_normalise_url(values["source_url"]))
            software = existing.get(values["sill_id"])
            if software is None:
                values["slug"] = _unique_slug(values["name"], values["sill_id"], taken)
                software = Software.objects.create(**values)
                report.added.append(software.name)
            else:
                changed = [k for k, v in values.items() if getattr(software, k) != v]
                if changed:
                    for name in changed:
                        setattr(software, name, values[name])
                    software.save()
                    report.updated.append(software.name)
            by_id[software.sill_id] = (software, links)

        by_name = {s.name.lower(): s for s in Software.objects.all()}
        for software, links in by_id.values():
            parent = by_name.get(links["parent"].lower()) if links["parent"] else None
            if parent == software:
                parent = None
            if software.parent_id != (parent.pk if parent else None):
                software.parent = parent
                software.save(update_fields=["parent", "updated_at"])
            similar = [
                by_id[i][0] for i in links["similar"] if i in by_id and i != software.sill_id
            ]
            if similar:
                software.similar.add(*similar)
        update_search_vectors()
        catalogue_changed.send(sender=Software)
    return report


VECTOR_SQL = """
UPDATE sill_software SET search_vector =
    setweight(to_tsvector('codegouv_fr', coalesce(name, '')), 'A')
    || setweight(to_tsvector('codegouv_fr', coalesce(function, '') || ' '
        || coalesce(category, '')), 'B')
    || setweight(to_tsvector('codegouv_fr', coalesce(description_fr, '') || ' '
        || coalesce(description_en, '') || ' ' || coalesce(keywords::text, '')), 'C')
"""


def update_search_vectors(pks=None) -> None:
    """The stored vector searched by Software.objects.search() (of the software ``pks``
    only, when given)."""
    with connection.cursor() as cursor:
        if pks is None:
            cursor.execute(VECTOR_SQL)
        else:
            cursor.execute(VECTOR_SQL + " WHERE id = ANY(%s)", [list(pks)])


def load_demo(*, stdout) -> None:
    report = import_sill(text=read_source(None))
    stdout.write(f"SILL 2022: {report.summary()}")
