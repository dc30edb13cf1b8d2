"""Libraries published by administrations: ask the package registries where the packages
the repositories' manifests publish come from (ADR 0021).

Candidates are the packages named by manifests (Manifest.package_name) that are not
private, of visible repositories that are not forks. A package is due when it was never
checked or was checked about a week ago (Library.objects.due). Each registry is asked in
turn, one package at a time, at its polite pace (catalog.registries). A package is MATCHED
when the source URL its registry gives is the web address of a repository whose manifest
names it: the repository says it publishes the package and the registry says the package
comes from that repository. A URL pointing elsewhere is recorded as a MISMATCH, never
shown as published. Go modules need no registry: the module path is the repository.

Every answer is written whole or not at all, 100 packages per statement. A 404 records
"not on the registry"; a 304 keeps what the registry said (the date moves) and compares
its source URL again with the repositories naming the package now; a 429, a 5xx or a
timeout leaves the package as it was and stops that registry for the run (the others go
on); an unusable answer is noted on the package, which keeps its previous state. A
package no manifest names any more goes back to unchecked: no page shows it as published.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import zip_longest

from django.db import transaction
from django.utils import timezone

from catalog.enums import Ecosystem, LibraryStatus
from catalog.libraries import first_match, go_module_matches, go_module_source, package_identity
from catalog.libraries import repository_key as key_of
from catalog.manifests import registry_url
from catalog.models import Library, Manifest
from catalog.registries import BadAnswer, Registry, RegistryUnavailable, registries_from_settings
from core.text import clean_line

logger = logging.getLogger(__name__)

# Packages written together, in one statement.
CHUNK = 100
LIBRARY_FIELDS = [
    "purl",
    "registry_url",
    "latest_version",
    "status",
    "repository",
    "source_url",
    "checked_at",
    "etag",
    "last_error",
]


@dataclass
class Candidate:
    ecosystem: str
    name: str
    purl: str
    # {repository key of its web address: repository id} of the manifests naming it.
    repositories: dict[str, int] = field(default_factory=dict)
    web_urls: dict[int, str] = field(default_factory=dict)


@dataclass
class CheckReport:
    checked: int = 0
    statuses: Counter = field(default_factory=Counter)
    not_modified: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    # {ecosystem: why its run stopped}
    stopped: dict[str, str] = field(default_factory=dict)
    not_configured: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        statuses = ", ".join(f"{status} {n}" for status, n in sorted(self.statuses.items()))
        text = f"{self.checked} checked ({statuses or 'none'}), {self.not_modified} not modified"
        text += f", {self.requests} requests, {len(self.errors)} errors"
        if self.not_configured:
            skipped = ", ".join(f"{eco} {n}" for eco, n in sorted(self.not_configured.items()))
            text += f"; no registry configured for: {skipped}"
        if self.stopped:
            text += "; stopped: " + "; ".join(f"{e}: {r}" for e, r in self.stopped.items())
        return text


def candidates() -> dict[tuple[str, str], Candidate]:
    """{(ecosystem, name): Candidate} of every manifest that publishes a package."""
    rows = Manifest.objects.library_candidates()
    found: dict[tuple[str, str], Candidate] = {}
    values = rows.values_list("ecosystem", "package_name", "repository_id", "repository__web_url")
    for eco, package_name, repository_id, web_url in values.iterator(chunk_size=2000):
        identity = package_identity(eco, package_name)
        if identity is None:
            continue
        name, purl = identity
        candidate = found.setdefault((eco, name), Candidate(eco, name, purl))
        key = key_of(web_url)
        if key:
            candidate.repositories.setdefault(key, repository_id)
        candidate.web_urls.setdefault(repository_id, web_url)
    return found


def due(
    now: datetime, *, limit: int | None, ecosystems=None, found=None
) -> list[tuple[Candidate, Library | None]]:
    """[(candidate, its Library row or None)] of the due candidates (of `ecosystems` only,
    if given; among `found`, else every candidate), never checked first, then the longest
    unchecked, `limit` at most (None: all)."""
    found = candidates() if found is None else found
    libraries = {(row.ecosystem, row.name): row for row in Library.objects.all()}
    due_ids = set(Library.objects.due(now).values_list("pk", flat=True))
    rows = []
    for key, candidate in found.items():
        if ecosystems is not None and candidate.ecosystem not in ecosystems:
            continue
        library = libraries.get(key)
        if library is not None and library.pk not in due_ids:
            continue
        rows.append((candidate, library))
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    rows.sort(key=lambda item: ((item[1] and item[1].checked_at) or epoch, item[0].name))
    return rows[:limit]


def _interleaved(rows):
    """The rows, one ecosystem after another in turn: while one registry's polite pause
    runs, the next registry is asked."""
    by_ecosystem: dict[str, list] = {}
    for row in rows:
        by_ecosystem.setdefault(row[0].ecosystem, []).append(row)
    for turn in zip_longest(*by_ecosystem.values()):
        yield from (row for row in turn if row is not None)


def _row(candidate: Candidate, library: Library | None) -> Library:
    library = library or Library(ecosystem=candidate.ecosystem, name=candidate.name)
    library.purl = candidate.purl
    library.registry_url = registry_url(candidate.ecosystem, candidate.name)[:1000]
    return library


def _matched(library: Library, candidate: Candidate, source_urls: list[str]) -> None:
    source, repository_id = first_match(source_urls, candidate.repositories)
    library.source_url = source[:1000]
    library.repository_id = repository_id
    if repository_id is not None:
        library.status = LibraryStatus.MATCHED
    else:
        library.status = LibraryStatus.MISMATCH if source else LibraryStatus.NO_SOURCE


def _go_module(library: Library, candidate: Candidate) -> None:
    library.source_url = go_module_source(candidate.name)[:1000]
    library.latest_version = ""
    urls = sorted(candidate.web_urls.items())
    matched = [pk for pk, url in urls if go_module_matches(candidate.name, url)]
    library.repository_id = matched[0] if matched else None
    library.status = LibraryStatus.MATCHED if matched else LibraryStatus.MISMATCH


def check(rows, *, registries: dict[str, Registry], now: datetime | None = None) -> CheckReport:
    """Look each (candidate, library) of `rows` up and write what was learnt."""
    now = now or timezone.now()
    report = CheckReport()
    start = {eco: registry.http.stats.requests for eco, registry in registries.items()}
    batch: list[Library] = []
    for candidate, stored in _interleaved(rows):
        eco = candidate.ecosystem
        if eco in report.stopped:
            continue
        library = _row(candidate, stored)
        if eco == Ecosystem.GOLANG:
            _go_module(library, candidate)
        elif eco not in registries:
            report.not_configured[eco] += 1
            continue
        else:
            try:
                answer = registries[eco].lookup(candidate.name, etag=library.etag)
            except RegistryUnavailable as exc:
                report.stopped[eco] = str(exc)
                logger.info("registry check: %s stopped: %s", eco, exc)
                continue
            except BadAnswer as exc:
                library.last_error = clean_line(str(exc), max_length=1000)
                library.checked_at = now
                report.errors.append(f"{eco}:{candidate.name}: {exc}")
                batch.append(library)
                continue
            if answer.status == "not_modified":
                report.not_modified += 1
                if library.status in (LibraryStatus.MATCHED, LibraryStatus.MISMATCH):
                    # The registry's word is the same; the repositories naming it may not be.
                    _matched(library, candidate, [library.source_url])
            elif answer.status == "not_found":
                library.status = LibraryStatus.NOT_FOUND
                library.repository_id = None
                library.latest_version = library.source_url = library.etag = ""
            else:
                _matched(library, candidate, answer.source_urls)
                library.latest_version = answer.latest_version
                library.etag = answer.etag
        library.checked_at = now
        library.last_error = ""
        report.checked += 1
        report.statuses[library.status] += 1
        batch.append(library)
        if len(batch) >= CHUNK:
            _write(batch)
            batch = []
    _write(batch)
    report.requests = sum(
        registry.http.stats.requests - start[eco] for eco, registry in registries.items()
    )
    return report


def _write(batch: list[Library]) -> None:
    if not batch:
        return
    with transaction.atomic():
        Library.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["ecosystem", "name"],
            update_fields=LIBRARY_FIELDS,
        )


def forget_unnamed(found: dict[tuple[str, str], Candidate]) -> int:
    """Packages no manifest names any more (renamed, made private, the repository gone or
    now a fork) go back to unchecked, tied to no repository: /bibliotheques/ stops showing
    them, and they are asked first if a manifest names them again. How many went back."""
    stale = [
        pk
        for pk, ecosystem, name in Library.objects.exclude(
            status=LibraryStatus.UNCHECKED, repository__isnull=True
        ).values_list("pk", "ecosystem", "name")
        if (ecosystem, name) not in found
    ]
    if stale:
        Library.objects.filter(pk__in=stale).update(
            status=LibraryStatus.UNCHECKED, repository=None, checked_at=None, etag=""
        )
    return len(stale)


def check_due(
    *,
    registries: dict[str, Registry],
    limit: int,
    ecosystem: str | None = None,
    now: datetime | None = None,
) -> CheckReport:
    """Check the due candidates (`limit` at most, of `ecosystem` only if given) of the
    ecosystems that have a registry configured, and Go modules; the others are counted."""
    now = now or timezone.now()
    found = candidates()
    forget_unnamed(found)
    wanted = {ecosystem} if ecosystem else set(Ecosystem.values)
    checkable = wanted & (set(registries) | {Ecosystem.GOLANG})
    # One reading of the due packages, split: those a registry can answer, the others counted.
    rows = due(now, limit=None, ecosystems=wanted, found=found)
    report = check(
        [row for row in rows if row[0].ecosystem in checkable][:limit],
        registries=registries,
        now=now,
    )
    for candidate, _library in [row for row in rows if row[0].ecosystem not in checkable][:limit]:
        report.not_configured[candidate.ecosystem] += 1
    return report


def check_registries(*, limit: int, ecosystem: str | None = None) -> CheckReport:
    """`check_due` with the registries configured in the settings (REGISTRY_*), their
    connections closed after: what the weekly task and `registry_check` run."""
    clients = registries_from_settings()
    try:
        return check_due(registries=clients, limit=limit, ecosystem=ecosystem)
    finally:
        for client in clients.values():
            client.http.close()
