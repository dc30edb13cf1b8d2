"""Open data: the exported columns, streamed CSV/JSON responses and the full dumps.

Rows are read with `.values()` and `.iterator(chunk_size=…)`: one query per export whatever
the number of rows, and never the whole table in memory. The same row generators feed the
listing's `?format=csv|json` responses and the gzip-compressed dumps of `/donnees/`.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from catalog import scoring
from catalog.enums import ArchiveState
from catalog.manifests import registry_url
from catalog.models import Owner, Repository, archive_swhid, software_heritage_url
from catalog.services.accounts_export import export_accounts
from core import throttle
from core.listing import EXPORT_FORMATS, export_filename
from core.urls import reverser

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
# Rows per chunk of a streamed response: fewer, larger writes than one per row.
ROWS_PER_CHUNK = 500


class Column(NamedTuple):
    name: str
    type: str
    description: str


# Machine type of a column -> what the data dictionary calls it.
TYPE_LABELS = {
    "string": _("texte"),
    "url": _("URL"),
    "integer": _("entier"),
    "boolean": _("booléen (true ou false)"),
    "datetime": _("date et heure (ISO 8601, UTC)"),
    "array": _("liste (valeurs séparées par des virgules en CSV, tableau en JSON)"),
}

# The public body of an organisation (its own, or its forge's) and its ministry.
BODY_COLUMNS = [
    Column(
        "public_body", "string", _("Organisme public dont relève l’organisation, s’il est connu.")
    ),
    Column(
        "public_body_id",
        "string",
        _("Identifiant de l’organisme sur ce portail (adresse de sa page : /organismes/<id>/)."),
    ),
    Column("ministry", "string", _("Ministère dont relève l’organisme, s’il est connu.")),
    Column(
        "ministry_id",
        "string",
        _("Identifiant du ministère sur ce portail (adresse de sa page : /ministeres/<id>/)."),
    ),
]

REPOSITORY_COLUMNS = [
    Column("url", "url", _("Adresse du dépôt sur sa forge.")),
    Column("forge", "string", _("Hôte de la forge (par exemple github.com).")),
    Column("owner", "string", _("Chemin de l’organisation, du groupe ou du compte sur la forge.")),
    *BODY_COLUMNS,
    Column("full_path", "string", _("Chemin complet du dépôt sur la forge (organisation/nom).")),
    Column("name", "string", _("Nom du dépôt.")),
    Column("description", "string", _("Description donnée sur la forge.")),
    Column("homepage", "string", _("Site web indiqué sur la forge.")),
    Column("default_branch", "string", _("Branche par défaut.")),
    Column("created_at", "datetime", _("Date de création sur la forge.")),
    Column("updated_at", "datetime", _("Date de dernière mise à jour sur la forge.")),
    Column("pushed_at", "datetime", _("Date du dernier envoi de code (push).")),
    Column("stars", "integer", _("Nombre d’étoiles.")),
    Column("forks", "integer", _("Nombre de copies (forks).")),
    Column("open_issues", "integer", _("Nombre de tickets ouverts.")),
    Column("is_fork", "boolean", _("Le dépôt est une copie (fork) d’un autre dépôt.")),
    Column("is_archived", "boolean", _("Le dépôt est archivé sur la forge.")),
    Column("is_template", "boolean", _("Le dépôt est un modèle.")),
    Column(
        "license",
        "string",
        _("Licence en identifiant SPDX ; NOASSERTION quand elle n’est pas reconnue."),
    ),
    Column("license_reported", "string", _("Licence telle que la forge la déclare.")),
    Column("language", "string", _("Langage de programmation principal.")),
    Column("topics", "array", _("Thématiques (topics) du dépôt.")),
    Column(
        "has_readme",
        "boolean",
        _(
            "Un fichier README est présent à la racine ; vide quand les fichiers à la racine "
            "n’ont pas été listés."
        ),
    ),
    Column(
        "has_contributing",
        "boolean",
        _(
            "Un guide de contribution (CONTRIBUTING) est présent à la racine ; vide quand les "
            "fichiers à la racine n’ont pas été listés."
        ),
    ),
    Column(
        "has_publiccode",
        "boolean",
        _(
            "Un fichier publiccode.yml valide est présent ; vide quand les fichiers à la "
            "racine n’ont pas été listés."
        ),
    ),
    Column(
        "score",
        "integer",
        _(
            "Potentiel de réutilisation, de 0 à 100, calculé sur les seuls critères qui ont "
            "pu être vérifiés."
        ),
    ),
    Column(
        "score_checkable",
        "integer",
        _("Points (sur 100) des critères qui ont pu être vérifiés pour calculer le score."),
    ),
    Column(
        "software_heritage_url",
        "url",
        _("Adresse de l’origine du dépôt dans l’archive Software Heritage."),
    ),
    Column(
        "archive_state",
        "string",
        _(
            "Ce que Software Heritage détient du dépôt : archived (archivé), "
            "archived_outdated (copie de plus d’un mois de retard), visited_no_snapshot "
            "(visité, rien d’archivé), absent (pas encore archivé), unknown (non vérifié)."
        ),
    ),
    Column(
        "archive_swhid",
        "string",
        _("Identifiant à citer de la copie archivée (SWHID de l’instantané, avec son origine)."),
    ),
    Column(
        "archive_visit_at",
        "datetime",
        _("Date de la dernière visite de Software Heritage qui a archivé le dépôt."),
    ),
    Column(
        "archive_checked_at",
        "datetime",
        _("Date à laquelle l’état d’archivage a été vérifié."),
    ),
    Column(
        "first_seen_at",
        "datetime",
        _("Date à laquelle le portail a vu le dépôt pour la première fois."),
    ),
    Column("page", "url", _("Adresse de la page du dépôt sur ce portail.")),
]

OWNER_COLUMNS = [
    Column("forge", "string", _("Hôte de la forge (par exemple github.com).")),
    Column("path", "string", _("Chemin de l’organisation, du groupe ou du compte sur la forge.")),
    Column(
        "kind",
        "string",
        _("Type de compte : organization, group, user, ou vide s’il est inconnu."),
    ),
    Column("name", "string", _("Nom affiché sur la forge.")),
    Column("description", "string", _("Description donnée sur la forge.")),
    Column("website", "string", _("Site web indiqué sur la forge.")),
    *BODY_COLUMNS,
    Column("floss_policy", "url", _("Adresse de la politique logiciels libres de l’organisme.")),
    Column("ospo_url", "url", _("Adresse du bureau des logiciels libres (OSPO) de l’organisme.")),
    Column(
        "repositories",
        "integer",
        _("Nombre de dépôts référencés, hors dépôts archivés et disparus (comme sur le site)."),
    ),
    Column("stars", "integer", _("Somme des étoiles de ces dépôts.")),
    Column("page", "url", _("Adresse de la page de l’organisation sur ce portail.")),
]

METADATA_FILE = "metadata.json"


class Dump(NamedTuple):
    """One data set of the full dumps of /donnees/ (ADR 10), written by export_dumps.

    Each app lists its own in its AppConfig's `open_data` (the dotted path of a list of
    Dump), as `demo_loader` for the demo data: the catalogue cannot import the SILL."""

    key: str  # the metadata's counts key and the data dictionary's anchor
    files: tuple[str, ...]  # the file names under /donnees/
    title: str
    description: str
    columns: list[Column] | None  # None: a file in its own documented format
    write: Callable[[Path, str], int]  # (directory, base URL) -> rows written
    listing: str = ""  # URL name of the listing whose searches export the same columns
    live: str = ""  # URL name of the same data served up to date (not a daily file)
    live_label: str = ""


def table_dump(
    key, stem, *, title, description, columns, rows, listing="", live="", live_label=""
) -> Dump:
    """A data set as `stem`.csv.gz and `stem`.json.gz, from `rows(base_url)` (one query)."""
    files = (f"{stem}.csv.gz", f"{stem}.json.gz")
    return Dump(
        key,
        files,
        title,
        description,
        columns,
        lambda directory, base_url: _write_pair(directory, files, rows(base_url), columns),
        listing,
        live,
        live_label,
    )


def registered_dumps() -> list[Dump]:
    """Every app's data sets (AppConfig.open_data), in the order of INSTALLED_APPS."""
    return [
        dump
        for config in apps.get_app_configs()
        if getattr(config, "open_data", None)
        for dump in import_string(config.open_data)
    ]


def dump_files() -> tuple[str, ...]:
    """Every file name /donnees/ may serve: the data sets' files and the metadata."""
    return (*(name for dump in registered_dumps() for name in dump.files), METADATA_FILE)


# --- Addresses -------------------------------------------------------------------------


def base_url_of(request) -> str:
    """Scheme and host of the request, without a trailing slash: "https://code.gouv.fr"."""
    return request.build_absolute_uri("/").rstrip("/")


def default_base_url() -> str:
    """Where the portal is served, for exports made without a request (the dumps)."""
    return getattr(settings, "SITE_URL", "") or f"https://{settings.SITE_NAME}"


def dumps_directory() -> Path:
    return Path(getattr(settings, "DUMPS_ROOT", settings.BASE_DIR / "var" / "dumps"))


# --- Rows ------------------------------------------------------------------------------

REPOSITORY_FIELDS = (
    "web_url",
    "forge__host",
    "owner__path",
    "body_name",
    "body_slug",
    "ministry_name",
    "ministry_slug",
    "full_path",
    "name",
    "description",
    "homepage",
    "default_branch",
    "created_at",
    "updated_at",
    "pushed_at",
    "stars",
    "forks",
    "open_issues",
    "is_fork",
    "is_archived",
    "is_template",
    "license_spdx",
    "license_reported",
    "language",
    "topics",
    "root_files",
    "publiccode_valid",
    "score",
    "score_checkable",
    "first_seen_at",
    "archive_state",
    "archive_origin",
    "archive_snapshot",
    "archive_visit_at",
    "archive_checked_at",
)


def _iso(value):
    return value.isoformat() if value is not None else None


def repository_rows(queryset, *, base_url: str) -> Iterator[dict]:
    """One dict per repository of `queryset`, keyed by REPOSITORY_COLUMNS; one query."""
    # Repository.get_absolute_url() from the row's values, without a model instance; made
    # now, under the request's language, not when the response streams.
    page = reverser("catalog:detail", arity=2)
    return _repository_rows(queryset, base_url.rstrip("/"), page)


def _repository_rows(queryset, base_url: str, page) -> Iterator[dict]:
    rows = queryset.with_public_body().values(*REPOSITORY_FIELDS)
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "url": row["web_url"],
            "forge": row["forge__host"],
            "owner": row["owner__path"],
            **_body_columns(row),
            "full_path": row["full_path"],
            "name": row["name"],
            "description": row["description"],
            "homepage": row["homepage"],
            "default_branch": row["default_branch"],
            "created_at": _iso(row["created_at"]),
            "updated_at": _iso(row["updated_at"]),
            "pushed_at": _iso(row["pushed_at"]),
            "stars": row["stars"],
            "forks": row["forks"],
            "open_issues": row["open_issues"],
            "is_fork": row["is_fork"],
            "is_archived": row["is_archived"],
            "is_template": row["is_template"],
            "license": row["license_spdx"],
            "license_reported": row["license_reported"],
            "language": row["language"],
            "topics": list(row["topics"] or []),
            **scoring.root_file_facts(row["root_files"], row["publiccode_valid"]),
            "score": row["score"],
            "score_checkable": row["score_checkable"],
            "software_heritage_url": software_heritage_url(row["archive_origin"] or row["web_url"]),
            "archive_state": row["archive_state"],
            "archive_swhid": archive_swhid(row),
            "archive_visit_at": _iso(row["archive_visit_at"]),
            # A date only once checked: the 2021 catalogue's is not a check of ours.
            "archive_checked_at": _iso(row["archive_checked_at"])
            if row["archive_state"] != ArchiveState.UNKNOWN
            else None,
            "first_seen_at": _iso(row["first_seen_at"]),
            "page": base_url + page(row["forge__host"], row["full_path"]),
        }


def owner_rows(queryset, *, base_url: str) -> Iterator[dict]:
    """One dict per owner of `queryset`, keyed by OWNER_COLUMNS; one query.

    The counts are the denormalised ones, kept current by catalog.services.counts."""
    # Owner.get_absolute_url() from the row's values, without a model instance (see
    # repository_rows).
    page = reverser("owners:detail", arity=2)
    return _owner_rows(queryset, base_url.rstrip("/"), page)


DEPENDENCY_COLUMNS = [
    Column(
        "ecosystem",
        "string",
        _("Écosystème du paquet : npm, pypi, maven, composer, gem, golang, cargo."),
    ),
    Column("name", "string", _("Nom du paquet, normalisé comme son registre le compare.")),
    Column("purl", "string", _("Package URL du paquet, sans version (pkg:pypi/django).")),
    Column(
        "repositories",
        "integer",
        _("Dépôts visibles, hors copies (forks), qui le déclarent (avec les filtres choisis)."),
    ),
    Column("url", "url", _("Page du paquet sur code.gouv.fr.")),
    Column("registry_url", "url", _("Page du paquet sur son registre.")),
]


def dependency_rows(queryset, *, base_url: str) -> Iterator[dict]:
    """One dict per package of a ranked Dependency queryset, keyed by DEPENDENCY_COLUMNS."""
    page = reverser("dependencies:detail", arity=2)
    base_url = base_url.rstrip("/")
    for row in queryset.iterator(chunk_size=2000):
        yield {
            "ecosystem": row["ecosystem"],
            "name": row["name"],
            "purl": row["purl"],
            "repositories": row["repositories"],
            "url": base_url + page(row["ecosystem"], row["name"]),
            "registry_url": registry_url(row["ecosystem"], row["name"]),
        }


LIBRARY_COLUMNS = [
    Column(
        "ecosystem",
        "string",
        _("Écosystème du paquet : npm, pypi, maven, composer, gem, golang, cargo."),
    ),
    Column("name", "string", _("Nom du paquet, normalisé comme son registre le compare.")),
    Column("purl", "string", _("Package URL du paquet, sans version (pkg:pypi/django).")),
    Column("latest_version", "string", _("Dernière version selon le registre.")),
    Column("registry_url", "url", _("Page du paquet sur son registre.")),
    Column("source_url", "string", _("Dépôt source du paquet, tel que son registre l’indique.")),
    Column("repository", "string", _("Dépôt catalogué qui le publie (forge/chemin).")),
    Column("repository_url", "url", _("Page de ce dépôt sur code.gouv.fr.")),
    Column("owner", "string", _("Organisation (compte ou groupe) du dépôt sur sa forge.")),
    Column("public_body", "string", _("Organisme public de cette organisation, s’il est connu.")),
    Column(
        "dependents",
        "integer",
        _("Dépôts visibles, hors copies (forks), qui le déclarent (toutes portées)."),
    ),
    Column("checked_at", "datetime", _("Date de la dernière vérification auprès du registre.")),
]


def library_rows(queryset, *, base_url: str) -> Iterator[dict]:
    """One dict per Library of a listed queryset (for_list, with dependents), keyed by
    LIBRARY_COLUMNS."""
    page = reverser("catalog:detail", arity=2)
    base_url = base_url.rstrip("/")
    for library in queryset.iterator(chunk_size=2000):
        repository = library.repository
        body = repository.owner.public_body if repository else None
        yield {
            "ecosystem": library.ecosystem,
            "name": library.name,
            "purl": library.purl,
            "latest_version": library.latest_version,
            "registry_url": library.registry_url,
            "source_url": library.source_url,
            "repository": f"{repository.forge.host}/{repository.full_path}" if repository else "",
            "repository_url": (
                base_url + page(repository.forge.host, repository.full_path) if repository else ""
            ),
            "owner": repository.owner.path if repository else "",
            "public_body": body.name if body else "",
            "dependents": getattr(library, "dependents", 0),
            "checked_at": library.checked_at.isoformat() if library.checked_at else "",
        }


def _body_columns(row) -> dict:
    return {
        "public_body": row["body_name"] or "",
        "public_body_id": row["body_slug"] or "",
        "ministry": row["ministry_name"] or "",
        "ministry_id": row["ministry_slug"] or "",
    }


def _owner_rows(queryset, base_url: str, page) -> Iterator[dict]:
    rows = (
        queryset.with_public_body()
        .values(
            "forge__host",
            "path",
            "kind",
            "name",
            "description",
            "website",
            "body_name",
            "body_slug",
            "ministry_name",
            "ministry_slug",
            "floss_policy",
            "ospo_url",
            "repository_count",
            "star_count",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for row in rows:
        yield {
            "forge": row["forge__host"],
            "path": row["path"],
            "kind": row["kind"],
            "name": row["name"],
            "description": row["description"],
            "website": row["website"],
            **_body_columns(row),
            "floss_policy": row["floss_policy"],
            "ospo_url": row["ospo_url"],
            "repositories": row["repository_count"],
            "stars": row["star_count"],
            "page": base_url + page(row["forge__host"], row["path"]),
        }


# --- Serialisation ---------------------------------------------------------------------


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return value


class _Echo:
    """A file-like object whose write() hands back what it was given (for csv.writer)."""

    def write(self, value):
        return value


def csv_chunks(rows: Iterable[dict], columns) -> Iterator[str]:
    """The CSV text of `rows` (header first), in chunks of ROWS_PER_CHUNK lines."""
    writer = csv.writer(_Echo())
    names = [column.name for column in columns]
    chunk = [writer.writerow(names)]
    for row in rows:
        chunk.append(writer.writerow([_csv_cell(row.get(name)) for name in names]))
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def json_chunks(rows: Iterable[dict], *, opening="[", closing="]\n") -> Iterator[str]:
    """A JSON array of `rows`, written incrementally: "[", the items joined by ",", "]"
    (`opening` and `closing` put the array in an object: '{"data":[' and ']}')."""
    chunk, separator = [opening], ""
    for row in rows:
        chunk.append(separator + json.dumps(row, ensure_ascii=False, default=str))
        separator = ",\n"
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    chunk.append(closing)
    yield "".join(chunk)


def _attachment(response, filename: str):
    """Saved as `filename`: the plain parameter for every client, `filename*` (RFC 6266)
    for those that prefer it; the names we make are ASCII, quoted anyway."""
    plain = filename.encode("ascii", "replace").decode().replace("\\", "_").replace('"', "_")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


# A UTF-8 byte-order mark first: spreadsheet software then reads the accents right.
BOM = "\ufeff"


def csv_response(rows: Iterable[dict], columns, *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        chain([BOM], csv_chunks(rows, columns)), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, filename)


def json_response(rows: Iterable[dict], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(json_chunks(rows), content_type="application/json")
    return _attachment(response, filename)


# The semaphore of the listings' downloads, shared by every worker (core.throttle).
EXPORT_SEMAPHORE = "exports"
# Seconds a refused download is told to wait: about the time a full export takes.
EXPORT_RETRY_AFTER = 30


def export_response(queryset, *, fmt: str, request, kind: str = "repositories", name_parts=()):
    """The `?format=csv|json` download of a listing's queryset (repositories or owners);
    `name_parts` name the file (core.listing.export_filename)."""
    if kind == "repositories":
        rows, columns, stem = repository_rows, REPOSITORY_COLUMNS, "depots"
    elif kind == "owners":
        rows, columns, stem = owner_rows, OWNER_COLUMNS, "organisations"
    elif kind == "dependencies":
        rows, columns, stem = dependency_rows, DEPENDENCY_COLUMNS, "dependances"
    elif kind == "libraries":
        rows, columns, stem = library_rows, LIBRARY_COLUMNS, "bibliotheques"
    else:
        raise ValueError(f"unknown export kind {kind!r}")
    data = rows(queryset, base_url=base_url_of(request))
    return download_response(request, data, columns, fmt=fmt, stem=stem, name_parts=name_parts)


def download_response(
    request, rows: Iterable[dict], columns, *, fmt: str, stem: str, name_parts=()
):
    """`rows` streamed as CSV or JSON: the `?format=` download of a listing, named after
    `stem`, its `name_parts` (filters) and the day (``depots-langage-python-2026-12-05.csv``).

    At most settings.EXPORT_MAX_CONCURRENT downloads stream at once across every worker;
    beyond, a 429 page points to the daily dumps. The slot is freed when the download ends
    or the client goes away. `rows` is a generator: nothing is read from the database
    unless the download goes ahead."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")

    def streamed():
        filename = export_filename(stem, name_parts, fmt)
        if fmt == "csv":
            return csv_response(rows, columns, filename=filename)
        return json_response(rows, filename=filename)

    return in_export_slot(streamed, refused=lambda: too_many_downloads(request))


def in_export_slot(streamed, *, refused):
    """The streaming response `streamed()` builds, holding one of the exports' slots (at
    most settings.EXPORT_MAX_CONCURRENT across every worker) until it ends or the client
    goes away; `refused()` when none is free."""
    slot = throttle.acquire(EXPORT_SEMAPHORE, limit=settings.EXPORT_MAX_CONCURRENT)
    if slot is None:
        return refused()
    try:
        response = streamed()
    except BaseException:
        slot.release()
        raise
    return throttle.release_after_streaming(response, slot)


def too_many_downloads(request):
    """The 429 page of a refused download: when to retry, and the daily dumps instead."""
    response = render(request, "429.html", {"retry_after": EXPORT_RETRY_AFTER}, status=429)
    response["Retry-After"] = str(EXPORT_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


# --- Dumps -----------------------------------------------------------------------------


@contextlib.contextmanager
def _atomic_file(path: Path, *, compress: bool):
    """A text stream to a temporary file beside `path`, renamed over it on success."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as raw:
            binary = (
                gzip.GzipFile(filename=path.name.removesuffix(".gz"), mode="wb", fileobj=raw)
                if compress
                else raw
            )
            with io.TextIOWrapper(binary, encoding="utf-8", newline="") as text:
                yield text
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; the web process reads the dumps.
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


class _Counted:
    """Iterates `rows` and remembers how many it gave."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def _write_pair(directory: Path, names: tuple[str, str], rows, columns) -> int:
    """Write the CSV and JSON dumps of `rows` in one pass over the database."""
    csv_name, json_name = names
    counted = _Counted(rows)
    with (
        _atomic_file(directory / csv_name, compress=True) as csv_file,
        _atomic_file(directory / json_name, compress=True) as json_file,
    ):
        writer = csv.writer(csv_file)
        names_in_order = [column.name for column in columns]
        writer.writerow(names_in_order)
        json_file.write("[")
        for row in counted:
            writer.writerow([_csv_cell(row.get(name)) for name in names_in_order])
            if counted.count > 1:
                json_file.write(",\n")
            json_file.write(json.dumps(row, ensure_ascii=False, default=str))
        json_file.write("]\n")
    return counted.count


def export_dumps(*, directory, base_url: str | None = None) -> dict:
    """Write every registered data set (registered_dumps) and their metadata.json into
    `directory`.

    Each file is written to a temporary file in the same directory, then renamed over the
    previous one: a download never sees a half-written dump. Returns the metadata.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    base_url = base_url or default_base_url()
    generated_at = timezone.now()
    counts, files = {}, {}
    for dump in registered_dumps():
        counts[dump.key] = dump.write(directory, base_url)
        for name in dump.files:
            files[name] = {"rows": counts[dump.key], "size": (directory / name).stat().st_size}
    metadata = {
        "generated_at": generated_at.isoformat(),
        "licence": "Licence Ouverte / Etalab 2.0",
        "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "counts": counts,
        "files": files,
    }
    with _atomic_file(directory / METADATA_FILE, compress=False) as stream:
        json.dump(metadata, stream, ensure_ascii=False, indent=2)
    logger.info(
        "open-data dumps written to %s: %s",
        directory,
        ", ".join(f"{count} {key}" for key, count in counts.items()),
    )
    return metadata


def _dumped_repositories():
    return Repository.objects.visible().order_by("forge__host", "full_path", "pk")


def _dumped_owners():
    # Every organisation of a dumped repository, archived ones included (their count of
    # "dépôts", like the site's, leaves the archived out).
    return Owner.objects.filter(pk__in=_dumped_repositories().values("owner")).order_by(
        "forge__host", "path", "pk"
    )


def _accounts_dump(directory: Path, base_url: str) -> int:
    """The accounts list in its official YAML format (catalog.services.accounts_export)."""
    with _atomic_file(directory / ACCOUNTS_FILE, compress=False) as stream:
        stream.write(export_accounts())
    return Owner.objects.filter(listed=True).count()


ACCOUNTS_FILE = "comptes-organismes-publics.yml"
REPOSITORY_DUMP = table_dump(
    "repositories",
    "repositories",
    title=_("Dépôts"),
    description=_(
        "Tous les dépôts visibles, archivés compris (colonne is_archived), avec leur "
        "organisation, leur organisme public, leur licence et leur potentiel de réutilisation."
    ),
    columns=REPOSITORY_COLUMNS,
    rows=lambda base_url: repository_rows(_dumped_repositories(), base_url=base_url),
    listing="catalog:index",
)
OWNER_DUMP = table_dump(
    "organisations",
    "organisations",
    title=_("Organisations"),
    description=_(
        "Les comptes et groupes des organismes publics sur les forges, avec leur organisme "
        "public, leur nombre de dépôts et leurs étoiles."
    ),
    columns=OWNER_COLUMNS,
    rows=lambda base_url: owner_rows(_dumped_owners(), base_url=base_url),
    listing="owners:index",
)
ACCOUNTS_DUMP = Dump(
    "accounts",
    (ACCOUNTS_FILE,),
    _("Liste des comptes des organismes publics"),
    _(
        "Les forges et les comptes que le portail collecte, au format YAML de la liste "
        "officielle comptes-organismes-publics.yml (une ligne par compte)."
    ),
    None,
    _accounts_dump,
)
# The catalogue's data sets (CatalogConfig.open_data).
CATALOG_DUMPS = [REPOSITORY_DUMP, OWNER_DUMP, ACCOUNTS_DUMP]


def read_metadata(directory=None) -> dict | None:
    """The metadata.json of the dumps in `directory`, or None if not generated (or broken)."""
    path = Path(directory or dumps_directory()) / METADATA_FILE
    try:
        with path.open(encoding="utf-8") as stream:
            metadata = json.load(stream)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        logger.exception("unreadable %s", path)
        return None
    return metadata if isinstance(metadata, dict) else None
