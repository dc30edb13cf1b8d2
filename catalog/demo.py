"""Demo data: the official accounts list and the last published catalogue dump (2021).

The dump (DINUM – code.gouv.fr / Etalab, Licence Ouverte 2.0) has no forge ids, so demo
repositories get the stable key `demo:<full path>`; a real harvest keys by forge id.
"""

from __future__ import annotations

import csv
import gzip
import io
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.utils import timezone

from catalog import awesome, licenses
from catalog.enums import ArchiveState, Ecosystem, ForgeKind, LibraryStatus
from catalog.libraries import package_identity, repository_key
from catalog.manifests import registry_url
from catalog.models import Forge, Library, Owner, Repository
from catalog.scoring import score_fields
from catalog.search import update_search_vectors
from catalog.services.accounts_import import import_accounts, read_source
from catalog.services.counts import refresh_owner_counts
from catalog.services.package_usage import refresh_package_usage
from core.text import clean_text, safe_url

DUMP = Path(__file__).resolve().parent / "data" / "repositories-2021.csv.gz"
# The packages that dump listed as published by administrations (libraries.json, reduced to
# platform, name, repository_url and latest_stable_release_number), with the source
# repository their registries gave then.
LIBRARIES = Path(__file__).resolve().parent / "data" / "libraries-2021.csv.gz"
LIBRARIES_LISTED_AT = datetime(2021, 11, 15, tzinfo=UTC)
LIBRARY_PLATFORMS = {
    "NPM": Ecosystem.NPM,
    "Pypi": Ecosystem.PYPI,
    "Maven": Ecosystem.MAVEN,
    "Cargo": Ecosystem.CARGO,
    "Packagist": Ecosystem.COMPOSER,
    "Go": Ecosystem.GOLANG,
    "Rubygems": Ecosystem.GEM,
}
PLATFORMS = {"github": ForgeKind.GITHUB, "gitlab": ForgeKind.GITLAB}
BATCH = 1000
DATE_COLUMNS = ("creation_date", "last_update", "last_modification")


def _date(value: str):
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _int(value: str) -> int:
    try:
        return max(int(float(value or 0)), 0)
    except ValueError:
        return 0


def _bool(value: str) -> bool | None:
    return {"true": True, "false": False}.get((value or "").strip().lower())


def read_dump(path: Path = DUMP) -> list[dict]:
    """The dump's rows, each value through the text boundary (core.text)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(io.StringIO(handle.read()))
        return [{key: clean_text(value).strip() for key, value in row.items()} for row in rows]


def load(*, stdout) -> None:
    report = import_accounts(text=read_source(None))
    stdout.write(f"accounts list: {report.summary()}")
    rows = read_dump()
    now = timezone.now()

    parsed = []
    for row in rows:
        url = (row.get("repository_url") or "").strip()
        parts = urlsplit(url)
        path = parts.path.strip("/")
        kind = PLATFORMS.get((row.get("platform") or "").strip().lower())
        if not kind or not parts.netloc or "/" not in path:
            continue
        parsed.append((parts.netloc.lower(), kind, path, url, row))

    forges = {f.host: f for f in Forge.objects.all()}
    for host, kind in {(host, kind) for host, kind, *_ in parsed}:
        if host not in forges:
            forges[host] = Forge.objects.create(
                host=host, kind=kind, api_url=Forge.default_api_url(host, kind)
            )

    owner_keys = {(host, path.rsplit("/", 1)[0]) for host, _, path, *_ in parsed}
    Owner.objects.bulk_create(
        [Owner(forge=forges[host], path=owner, listed=False) for host, owner in owner_keys],
        ignore_conflicts=True,
    )
    owners = {(o.forge.host, o.path.lower()): o for o in Owner.objects.select_related("forge")}

    # The dump's own date: its newest activity. Activity in the last 12 months cannot be
    # told from data older than that.
    dumped_at = max(
        filter(None, (_date(row.get(key)) for *_, row in parsed for key in DATE_COLUMNS)),
        default=None,
    )
    repositories = []
    for host, kind, path, url, row in parsed:
        license_spdx = licenses.normalize_license(row.get("license"))
        values = {
            "description": (row.get("description") or "").strip(),
            "created_at": _date(row.get("creation_date")),
            "updated_at": _date(row.get("last_update")),
            "pushed_at": _date(row.get("last_modification")),
            "stars": _int(row.get("stars_count")),
            "forks": _int(row.get("forks_count")),
            "is_fork": bool(_bool(row.get("is_fork"))),
            "is_archived": bool(_bool(row.get("is_archived"))),
        }
        # The dump never listed root files (README, CONTRIBUTING, publiccode.yml): unknown,
        # so those checks are "not checked". Its GitHub rows come from GitHub's listing,
        # which reports licences (empty: none found); its GitLab rows have no licence nor
        # fork flag at all.
        values.update(
            license_spdx=license_spdx,
            license_reported=(row.get("license") or "").strip(),
            root_files=None,
            publiccode_valid=False,
        )
        values.update(
            score_fields(
                values,
                now,
                license_listed=kind == ForgeKind.GITHUB,
                fork_known=_bool(row.get("is_fork")) is not None,
                observed_at=dumped_at,
            )
        )
        repositories.append(
            Repository(
                forge=forges[host],
                owner=owners[(host, path.rsplit("/", 1)[0].lower())],
                remote_id=f"demo:{path.lower()}",
                full_path=path,
                name=path.rsplit("/", 1)[-1],
                web_url=url,
                homepage=safe_url(row.get("homepage"), max_length=1000),
                open_issues=_int(row.get("open_issues_count")),
                language=(row.get("language") or "").strip(),
                topics=[t.strip() for t in (row.get("topics") or "").split(",") if t.strip()],
                # The dump's flag, dated: what it said then, not a fresh fact.
                archive_state=ArchiveState.UNKNOWN,
                archive_reported=_bool(row.get("software_heritage_exists")),
                archive_checked_at=dumped_at,
                first_seen_at=now,
                last_seen_at=now,
                **values,
            )
        )
    update_fields = [
        "owner",
        "full_path",
        "name",
        "web_url",
        "homepage",
        "open_issues",
        "license_reported",
        "license_spdx",
        "language",
        "topics",
        "archive_reported",
        "score",
        "score_checkable",
        "score_checks",
        "root_files",
        "publiccode_valid",
        "description",
        "created_at",
        "updated_at",
        "pushed_at",
        "stars",
        "forks",
        "is_fork",
        "is_archived",
    ]
    # The dump repeats some URLs: keep one row per key, or the upsert would hit it twice.
    repositories = list({(r.forge.host, r.remote_id): r for r in repositories}.values())
    for start in range(0, len(repositories), BATCH):
        Repository.objects.bulk_create(
            repositories[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["forge", "remote_id"],
            update_fields=update_fields,
        )
    update_search_vectors()
    refresh_owner_counts()
    refresh_package_usage()
    distinct = len(repositories)
    stdout.write(
        f"2021 catalogue dump: {len(rows)} rows, {distinct} distinct repositories from "
        f"{len(owner_keys)} owners on {len({host for host, *_ in parsed})} forges"
    )
    report = awesome.import_awesome(text=awesome.read_source(), checked_on=timezone.localdate())
    stdout.write(f"Awesome selection: {report.summary()}")
    stdout.write(f"2021 libraries list: {load_libraries()} published by a demo repository")


def demo_version(value: str) -> str:
    """The list's latest version; "None" is how its export wrote a package without one."""
    version = clean_text(value).strip()[:100]
    return "" if version == "None" else version


DEMO_LIBRARY_FIELDS = (
    "purl",
    "registry_url",
    "latest_version",
    "status",
    "repository",
    "source_url",
    "checked_at",
)


def load_libraries(path: Path = LIBRARIES) -> int:
    """Library rows for the packages of the 2021 list whose source repository, as their
    registry gave it then, is a demo repository (the same URL comparison as the registry
    check, ADR 0021); dated by the list. The demo has no manifests: a real check also
    requires the repository to declare the package (so a registry check run on the demo
    sends these back to unchecked). Returns how many were matched."""
    repositories = {}
    for pk, web_url in Repository.objects.visible().order_by("-pk").values_list("pk", "web_url"):
        if key := repository_key(web_url):  # "" (no address) must not match a blank source
            repositories[key] = pk
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    libraries = {}
    for row in rows:
        ecosystem = LIBRARY_PLATFORMS.get(row["platform"])
        identity = (
            package_identity(ecosystem, clean_text(row["name"]).strip()) if ecosystem else None
        )
        source = clean_text(row["repository_url"]).strip()
        pk = repositories.get(repository_key(source))
        if identity is None or pk is None:
            continue
        name, purl = identity
        libraries[(ecosystem, name)] = Library(
            ecosystem=ecosystem,
            name=name,
            purl=purl,
            registry_url=registry_url(ecosystem, name)[:1000],
            latest_version=demo_version(row["latest_stable_release_number"]),
            status=LibraryStatus.MATCHED,
            repository_id=pk,
            source_url=source[:1000],
            checked_at=LIBRARIES_LISTED_AT,
        )
    Library.objects.bulk_create(
        list(libraries.values()),
        update_conflicts=True,
        unique_fields=["ecosystem", "name"],
        update_fields=[*DEMO_LIBRARY_FIELDS],
    )
    return len(libraries)
