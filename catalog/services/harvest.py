"""Harvest one owner, or one whole forge: page through the listing, upsert in bulk.

For each page: one query reads the rows already known for the page's forge ids, unchanged
repositories (same listing fingerprint) are not written, and the others are upserted in one
`bulk_create(update_conflicts=True)` on the natural key (forge, remote_id), so renamed or
transferred repositories are updated, not duplicated. Root files, metadata files, languages,
the head commit of the default branch and (where the listing lacks it) the licence are
fetched only for repositories whose activity date moved since they were last inspected; the
package manifests (tree, then each file) only when the head commit moved too, and their
Manifest and Dependency rows are written per page after the repositories (ADR 0020). The
client is told which repositories of the page are inspected before the first inspection
(ForgeClient.prefetch): GitHub and GitLab with a token read them in batches through GraphQL.
Only a complete listing marks the repositories it no longer returns as gone; they are never
deleted.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog import licenses
from catalog.enums import RunStatus
from catalog.forges import build_client
from catalog.forges.base import ForgeClient, OwnerInfo, RepoInfo, detect_root_files
from catalog.manifests import (
    MAX_BYTES,
    ParsedManifest,
    ecosystem_of,
    parse_manifest,
    select_manifests,
)
from catalog.metadata import MAX_SIZE, parse_codemeta, parse_publiccode
from catalog.models import Dependency, Forge, HarvestRun, Manifest, Owner, Repository
from catalog.scoring import score_fields
from catalog.search import update_search_vectors
from catalog.services.counts import refresh_owner_counts
from core.http import ForgeError, RateLimited
from core.signals import catalogue_changed
from core.text import clean_text

logger = logging.getLogger(__name__)

# Copied as they are from the forge's listing onto the row.
COPIED_FIELDS = [
    "full_path",
    "name",
    "web_url",
    "description",
    "homepage",
    "default_branch",
    "created_at",
    "updated_at",
    "pushed_at",
    "stars",
    "forks",
    "open_issues",
    "watchers",
    "is_fork",
    "is_archived",
    "is_template",
    "language",
    "topics",
    "raw",
    "license_reported",
]
# Fields a harvest writes; everything else (editors' fields) is kept.
LISTING_FIELDS = [
    *COPIED_FIELDS,
    "owner",
    "license_spdx",
    "fingerprint",
    "last_seen_at",
    "gone_since",
    "score",
    "score_checkable",
    "score_checks",
]
INSPECTION_FIELDS = [
    "languages",
    "root_files",
    "publiccode",
    "publiccode_text",
    "publiccode_errors",
    "publiccode_valid",
    "codemeta",
    "codemeta_errors",
    "head_commit",
    "dependencies_commit",
    "inspected_activity_at",
]
KNOWN_FIELDS = [
    "id",
    "remote_id",
    "owner_id",
    "fingerprint",
    "gone_since",
    "first_seen_at",
    "license_reported",
    *INSPECTION_FIELDS,
]


@dataclass
class Progress:
    """Counts of one run, copied onto its HarvestRun row at the end."""

    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    gone: int = 0
    errors: list[str] = field(default_factory=list)


def fingerprint(repo: RepoInfo) -> str:
    payload = json.dumps(repo.listing_fields(), sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def read_manifests(client: ForgeClient, repo: RepoInfo, head: str) -> dict[str, ParsedManifest]:
    """{path: what it declares} for the manifests of the tree at `head` that
    select_manifests picks: one tree request (GitLab: one per first-level directory worth
    it, up to 10, after the root listing already read), one per manifest. A file the tree
    says is over MAX_BYTES is not requested (GitHub would not send it through the API);
    ForgeError propagates (the inspection fails and is tried again)."""
    tree = client.tree_paths(repo, head)
    found = {}
    for path in select_manifests(tree):
        size = tree.get(path)
        if size is not None and size > MAX_BYTES:
            found[path] = ParsedManifest(
                ecosystem=ecosystem_of(path),
                errors=[f"larger than {MAX_BYTES // 1024} KB ({size} bytes): not read"],
                ok=False,
            )
            continue
        content = client.read_file(repo, path)
        if content is not None:  # gone between the tree and the read: as if absent
            found[path] = parse_manifest(path, content)
    return found


def _inspect(
    client: ForgeClient,
    repo: RepoInfo,
    values: dict,
    progress: Progress,
    *,
    manifests: dict | None = None,
    read_commit: str = "",
    reread: bool = True,
) -> bool:
    """Fetch root files, metadata files, languages, head commit and licence for one
    repository: whether it went through. A repository without root files (empty) costs no
    languages or branch request. With `manifests`, the manifests of the head commit are read
    into `manifests[remote_id]` when it differs from `read_commit` (the commit whose
    manifests are stored), or in any case with `reread`."""
    try:
        names = client.root_names(repo)
        found, actual = detect_root_files(names)
        values["root_files"] = found
        for canonical, parse, prefix in (
            ("publiccode.yml", parse_publiccode, "publiccode"),
            ("codemeta.json", parse_codemeta, "codemeta"),
        ):
            parsed = content = None
            if canonical in actual:
                content = client.read_file(repo, actual[canonical])
                parsed = parse(content) if content is not None else None
            if prefix == "publiccode":
                # The file as published, for reusers (the API): cleaned, bounded.
                values["publiccode_text"] = (
                    clean_text(content[:MAX_SIZE].decode("utf-8-sig", "replace"), max_length=None)
                    if content
                    else ""
                )
            values[prefix] = parsed.data if parsed else None
            values[f"{prefix}_errors"] = list(parsed.errors) if parsed else []
            if prefix == "publiccode":
                values["publiccode_valid"] = bool(parsed and parsed.is_valid)
        values["languages"] = client.languages(repo) if names else {}
        values["head_commit"] = client.head_commit(repo) if names else ""
        head = values["head_commit"]
        values["dependencies_commit"] = read_commit
        if manifests is not None and (reread or head != read_commit):
            manifests[repo.remote_id] = read_manifests(client, repo, head) if head else {}
            values["dependencies_commit"] = head
        if client.license_needs_request and "LICENSE" in found:
            values["license_reported"] = client.license(repo)
        values["inspected_activity_at"] = repo.last_activity_at
    except RateLimited:
        raise
    except ForgeError as exc:
        # The listing stays right; inspection is tried again at the next run (see
        # Harvester.uninspected). Until then the root files are unknown: their checks are
        # "not checked", never "absent"; the head commit too (the stored one is older than
        # the activity that moved).
        progress.errors.append(str(exc))
        values.update(root_files=None, head_commit="", inspected_activity_at=None)
        if manifests is not None:
            manifests.pop(repo.remote_id, None)
        values["dependencies_commit"] = read_commit  # what the stored rows still hold
        return False
    return True


class Harvester:
    """Upserts the pages of one listing into the database."""

    def __init__(self, *, forge: Forge, client: ForgeClient, owner_for: Callable, now: datetime):
        self.forge = forge
        self.client = client
        self.owner_for = owner_for  # RepoInfo list -> {repo remote_id: Owner}
        self.now = now
        self.progress = Progress()
        self.seen_ids: set[str] = set()
        # Forge ids whose inspection failed in this run: their page is not kept as
        # unchanged (no ETag stored), so the next run lists it again and retries them.
        self.uninspected: set[str] = set()
        self.touched_owners: set[int] = set()

    def process(self, repos: list[RepoInfo], *, full: bool) -> None:
        # A listing that shifts while it is read may repeat a repository: keep one.
        repos = list({repo.remote_id: repo for repo in repos}.values())
        ids = [repo.remote_id for repo in repos]
        self.seen_ids.update(ids)
        self.progress.seen += len(repos)
        known = {
            row["remote_id"]: row
            for row in Repository.objects.filter(forge=self.forge, remote_id__in=ids).values(
                *KNOWN_FIELDS
            )
        }
        owners = self.owner_for(repos)
        manifests: dict[str, dict[str, ParsedManifest]] = {}
        # What each repository needs (skipped: another owner's or unchanged; written from the
        # listing; or inspected too), decided first: the client is told which are inspected
        # before the inspections start (GitHub's and GitLab's GraphQL then read them in batches).
        plan = {}
        for repo in repos:
            if repo.remote_id not in owners:
                continue  # belongs to another listed owner (a GitLab subgroup harvested alone)
            row = known.get(repo.remote_id)
            print_ = fingerprint(repo)
            owner = owners[repo.remote_id]
            if (
                row
                and not full
                and row["fingerprint"] == print_
                and row["gone_since"] is None
                and row["owner_id"] == owner.pk
                # A failed inspection (root files unknown) is tried again.
                and row["root_files"] is not None
            ):
                self.progress.unchanged += 1
                continue
            inspected = row and row["inspected_activity_at"]
            inspect = bool(full or not inspected or inspected != repo.last_activity_at)
            plan[repo.remote_id] = (row, print_, owner, inspect)
        self.client.prefetch(
            [repo for repo in repos if repo.remote_id in plan and plan[repo.remote_id][3]],
            manifests_at={
                remote_id: row["dependencies_commit"]
                for remote_id, (row, _, _, inspect) in plan.items()
                if inspect and row and not full
            },
        )
        rows = []
        for repo in repos:
            if repo.remote_id not in plan:
                continue
            row, print_, owner, inspect = plan[repo.remote_id]
            values = {name: getattr(repo, name) for name in COPIED_FIELDS}
            values.update(owner=owner, fingerprint=print_, last_seen_at=self.now, gone_since=None)
            if inspect:
                # The manifests are read again when the head moved, or on --full.
                if not _inspect(
                    self.client,
                    repo,
                    values,
                    self.progress,
                    manifests=manifests,
                    read_commit=row["dependencies_commit"] if row else "",
                    reread=full or not row,
                ):
                    self.uninspected.add(repo.remote_id)
            else:
                values.update({name: row[name] for name in INSPECTION_FIELDS})
                if self.client.license_needs_request:
                    values["license_reported"] = row["license_reported"]
            values["license_spdx"] = licenses.normalize_license(values["license_reported"])
            values.update(
                score_fields(values, self.now, license_listed=not self.client.license_needs_request)
            )
            rows.append(
                Repository(
                    forge=self.forge,
                    remote_id=repo.remote_id,
                    first_seen_at=row["first_seen_at"] if row else self.now,
                    **values,
                )
            )
            if row:
                self.progress.updated += 1
            else:
                self.progress.created += 1
        if rows:
            Repository.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["forge", "remote_id"],
                update_fields=LISTING_FIELDS + INSPECTION_FIELDS,
            )
            update_search_vectors(
                forge_id=self.forge.pk, remote_ids=[row.remote_id for row in rows]
            )
            self.touched_owners.update(row.owner_id for row in rows)
        if manifests:
            self.write_manifests(manifests)

    def write_manifests(self, manifests: dict[str, dict[str, ParsedManifest]]) -> None:
        """Store what the manifests read in this page declare, in a bounded number of
        statements: per repository, its Manifest rows upserted on (repository, path), those
        no longer in the tree deleted with their dependencies, and the Dependency rows of
        every manifest read whole replaced; a manifest that could not be read keeps its
        previous dependencies, and its notes go on its Manifest row."""
        ids = dict(
            Repository.objects.filter(forge=self.forge, remote_id__in=list(manifests)).values_list(
                "remote_id", "pk"
            )
        )
        found = {ids[remote]: parsed for remote, parsed in manifests.items() if remote in ids}
        if not found:
            return
        stale = [
            (pk, repository_id, path)
            for pk, repository_id, path in Manifest.objects.filter(
                repository_id__in=list(found)
            ).values_list("pk", "repository_id", "path")
            if path not in found[repository_id]
        ]
        replaced = Q(pk__in=[])
        for repository_id, path in [(r, p) for _, r, p in stale] + [
            (repository_id, path)
            for repository_id, parsed in found.items()
            for path, manifest in parsed.items()
            if manifest.ok
        ]:
            replaced |= Q(repository_id=repository_id, manifest=path)
        Dependency.objects.filter(replaced).delete()
        Manifest.objects.filter(pk__in=[pk for pk, _, _ in stale]).delete()
        read = []
        unread = []
        dependencies = []
        for repository_id, parsed in found.items():
            for path, manifest in parsed.items():
                row = Manifest(
                    repository_id=repository_id,
                    path=path,
                    ecosystem=manifest.ecosystem,
                    package_name=manifest.package_name,
                    private=manifest.private,
                    errors=list(manifest.errors),
                    parsed_at=self.now,
                )
                (read if manifest.ok else unread).append(row)
                dependencies.extend(
                    Dependency(
                        repository_id=repository_id,
                        manifest=path,
                        ecosystem=item.ecosystem,
                        name=item.name,
                        purl=item.purl,
                        requirement=item.requirement,
                        scope=item.scope,
                    )
                    for item in manifest.dependencies
                )
        for rows, fields in (
            (read, ["ecosystem", "package_name", "private", "errors", "parsed_at"]),
            (unread, ["errors", "parsed_at"]),
        ):
            if rows:
                Manifest.objects.bulk_create(
                    rows,
                    update_conflicts=True,
                    unique_fields=["repository", "path"],
                    update_fields=fields,
                )
        Dependency.objects.bulk_create(dependencies, ignore_conflicts=True, batch_size=1000)

    def mark_gone(self, scope) -> None:
        """Mark gone what a complete listing of `scope` no longer returns."""
        missing = [
            (pk, owner_id)
            for pk, remote_id, owner_id in scope.filter(gone_since__isnull=True).values_list(
                "pk", "remote_id", "owner_id"
            )
            if remote_id not in self.seen_ids
        ]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            self.touched_owners.update(owner_id for _, owner_id in chunk)
            Repository.objects.filter(pk__in=[pk for pk, _ in chunk]).update(gone_since=self.now)
        self.progress.gone = len(missing)


def _run_listing(harvester: Harvester, pages, state: dict, *, full: bool) -> None:
    """Consume every page (a ForgeError stops it), then replace `state` with the new one."""
    new_state = {}
    for page in pages:
        if page.not_modified:
            cached = state.get(page.url) or {}
            ids = cached.get("ids", [])
            harvester.seen_ids.update(ids)
            harvester.progress.seen += len(ids)
            harvester.progress.unchanged += len(ids)
            new_state[page.url] = cached
            continue
        with transaction.atomic():
            harvester.process(page.repos, full=full)
        retry = any(repo.remote_id in harvester.uninspected for repo in page.repos)
        new_state[page.url] = {
            "etag": "" if retry else page.etag,
            "ids": [repo.remote_id for repo in page.repos],
            "next": page.next_url,
        }
    state.clear()
    state.update(new_state)


def _finish(run: HarvestRun, target, harvester: Harvester | None, client, status, error=""):
    now = timezone.now()
    if harvester:
        progress = harvester.progress
        run.seen, run.created, run.updated = progress.seen, progress.created, progress.updated
        run.unchanged, run.gone = progress.unchanged, progress.gone
        run.errors = progress.errors[:50] + ([error] if error else [])
    elif error:
        run.errors = [error]
    if harvester and harvester.touched_owners:
        refresh_owner_counts(owner_ids=harvester.touched_owners)
        catalogue_changed.send(sender=HarvestRun)
    stats = client.http.stats if client else None
    if stats:
        run.requests, run.not_modified = stats.requests, stats.not_modified
        run.rate_limit_waits = stats.rate_limit_waits
    run.status, run.finished_at = status, now
    run.save()
    target.last_attempt_at = run.started_at
    if status == RunStatus.OK:
        target.last_success_at, target.last_error = now, ""
    else:
        target.last_error = error or "; ".join(run.errors[:3])
    target.save(
        update_fields=[
            "last_attempt_at",
            "last_success_at",
            "last_error",
            "conditional_state",
            "updated_at",
        ]
    )
    if client:
        client.http.close()
    return run


def _harvest(run, target, harvester, client, state: dict, listing: Callable[[], None]):
    """Run `listing` (a complete listing of `target`) and record how it ended."""
    try:
        listing()
        run.complete = True
        target.conditional_state = {"pages": state}
        return _finish(run, target, harvester, client, RunStatus.OK)
    except RateLimited as exc:
        return _finish(run, target, harvester, client, RunStatus.RATE_LIMITED, str(exc))
    except ForgeError as exc:
        return _finish(run, target, harvester, client, RunStatus.FAILED, str(exc))


def targets(forges=None):
    """(owners, forges) a harvest of `forges` runs, one task each: the harvestable owners
    of the forges not harvested whole, and the forges harvested whole.

    `forges` defaults to the harvestable forges; a given queryset is taken as it is."""
    owners = Owner.objects.harvestable().filter(forge__harvest_whole=False)
    if forges is None:
        forges = Forge.objects.harvestable()
    else:
        owners = owners.filter(forge__in=forges)
    return owners, forges.filter(harvest_whole=True)


def _apply_owner_info(owner: Owner, info: OwnerInfo) -> None:
    for name, value in (
        ("kind", info.kind),
        ("remote_id", info.remote_id),
        ("name", info.name),
        ("description", info.description),
        ("avatar_url", info.avatar_url),
        ("website", info.website),
        ("email", info.email),
        ("location", info.location),
        ("forge_created_at", info.created_at),
        ("raw", info.raw),
    ):
        setattr(owner, name, value)
    owner.save()


def harvest_owner(*, owner_id: int, full: bool = False, client: ForgeClient | None = None):
    """Harvest one listed owner; returns its HarvestRun."""
    owner = Owner.objects.select_related("forge").get(pk=owner_id)
    forge = owner.forge
    run = HarvestRun.objects.create(forge=forge, owner=owner)
    client = client or build_client(forge)
    # Repositories inside another listed owner (a GitLab subgroup listed on its own) are
    # left to that owner's run.
    nested = [
        other.lower() + "/"
        for other in Owner.objects.filter(forge=forge, listed=True)
        .exclude(pk=owner.pk)
        .filter(path__istartswith=owner.path + "/")
        .values_list("path", flat=True)
    ]

    def owner_for(repos):
        return {
            repo.remote_id: owner
            for repo in repos
            if not any((repo.full_path.lower() + "/").startswith(p) for p in nested)
        }

    harvester = Harvester(forge=forge, client=client, owner_for=owner_for, now=run.started_at)
    state = {} if full else dict(owner.conditional_state.get("pages", {}))

    def listing():
        info = client.fetch_owner(owner.path)
        _apply_owner_info(owner, info)
        _run_listing(harvester, client.owner_pages(info, state=state), state, full=full)
        harvester.mark_gone(Repository.objects.filter(owner=owner))

    return _harvest(run, owner, harvester, client, state, listing)


def _namespace_owners(forge: Forge):
    """For a whole-forge run: each repository's owner, created on first sight (unlisted)."""

    def owner_for(repos):
        paths = {repo.owner_path or repo.full_path.rsplit("/", 1)[0] for repo in repos}
        existing = {o.path.lower(): o for o in Owner.objects.filter(forge=forge, path__in=paths)}
        missing = [p for p in paths if p.lower() not in existing]
        if missing:
            Owner.objects.bulk_create(
                [Owner(forge=forge, path=p, listed=False) for p in missing],
                ignore_conflicts=True,
            )
            existing.update(
                {o.path.lower(): o for o in Owner.objects.filter(forge=forge, path__in=missing)}
            )
        return {
            repo.remote_id: existing[(repo.owner_path or repo.full_path.rsplit("/", 1)[0]).lower()]
            for repo in repos
        }

    return owner_for


def harvest_forge(*, forge_id: int, full: bool = False, client: ForgeClient | None = None):
    """Harvest every repository of a forge dedicated to public code."""
    forge = Forge.objects.get(pk=forge_id)
    run = HarvestRun.objects.create(forge=forge)
    client = client or build_client(forge)
    harvester = Harvester(
        forge=forge, client=client, owner_for=_namespace_owners(forge), now=run.started_at
    )
    state = {} if full else dict(forge.conditional_state.get("pages", {}))

    def listing():
        _run_listing(harvester, client.forge_pages(state=state), state, full=full)
        harvester.mark_gone(Repository.objects.filter(forge=forge))

    return _harvest(run, forge, harvester, client, state, listing)
