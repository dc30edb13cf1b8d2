"""`/api/v1/catalog.json`: every live repository in one document, for publiccode.yml crawlers.

`{"data": [{"url": "<repository web URL>", "publiccode_url": "<raw URL or null>"}, …]}`: the
shape the publiccode.yml crawler of Developers Italia (and of the countries that reuse it)
reads with its JSON catalogue driver (JSONPath `$.data[*].url`). Every visible repository
is listed, archived ones and forks included, as in the dumps: an archived repository is
still there to read and reuse, and a federating catalogue that never sees it would take it
for deleted; the crawler reads each one's publiccode.yml and decides from its content.
`publiccode_url` is the file's raw address on the default branch when the harvest found a
publiccode.yml at the root (catalog.forges.raw), else null.

At 100,000 synthetic repositories the document is 10 MB (1.4 MB gzip), written in 2 to 3 s;
at 1,000,000 some 100 MB: it is never built in a request.
A worker writes it gzip-compressed next to the dumps (`FILE`, and `META` with the
catalogue version it was read at), after the harvest runs that change the catalogue end
(catalogue_changed), with the daily dumps, and when a request finds it older than the
catalogue. Requests send the file as it is (`Content-Encoding: gzip`) or decompress it on
the way; an older file is sent while the next one is written. Only when there is no file
at all, or no worker (tasks run in-process), is the document streamed from the database,
one query read in chunks, at most EXPORT_MAX_CONCURRENT at once like the exports.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from pathlib import Path

from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.exports import (
    Column,
    Dump,
    _atomic_file,
    _Counted,
    dumps_directory,
    json_chunks,
)
from catalog.forges.raw import raw_file_url
from catalog.listing_cache import catalog_version
from catalog.models import Repository

logger = logging.getLogger(__name__)

FILE = "catalog.json.gz"
META = "catalog.meta.json"
PUBLICCODE = "publiccode.yml"
CHUNK_SIZE = 5000
# Bytes read from the file per chunk of a response.
READ_SIZE = 256 * 1024


def rows() -> Iterator[dict]:
    """{"url", "publiccode_url"} of every visible repository, by id; one query."""
    queryset = (
        Repository.objects.visible()
        .annotate(
            has_publiccode=ExpressionWrapper(
                Q(root_files__contains=[PUBLICCODE]), output_field=BooleanField()
            )
        )
        .order_by("pk")
        .values(
            "web_url",
            "full_path",
            "default_branch",
            "has_publiccode",
            kind=F("forge__kind"),
            host=F("forge__host"),
        )
    )
    for row in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield {"url": row["web_url"], "publiccode_url": publiccode_url(row)}


def publiccode_url(row) -> str | None:
    if not row["has_publiccode"]:
        return None
    return raw_file_url(
        row["kind"],
        host=row["host"],
        web_url=row["web_url"],
        full_path=row["full_path"],
        branch=row["default_branch"],
        name=PUBLICCODE,
    )


def chunks(items) -> Iterator[str]:
    """The document's text, written as it goes: '{"data":[', the items, ']}'."""
    return json_chunks(items, opening='{"data":[', closing="]}\n")


def write(directory: Path | None = None) -> int:
    """Write FILE, then META, each by a rename over the previous one: the repositories
    written. META keeps the catalogue version read before the first row, so that a change
    made while writing leaves the file stale, never taken for current."""
    directory = Path(directory or dumps_directory())
    directory.mkdir(parents=True, exist_ok=True)
    version = catalog_version()
    counted = _Counted(rows())
    with _atomic_file(directory / FILE, compress=True) as stream:
        for text in chunks(counted):
            stream.write(text)
    meta = {
        "version": version,
        "generated_at": timezone.now().isoformat(),
        "repositories": counted.count,
    }
    with _atomic_file(directory / META, compress=False) as stream:
        json.dump(meta, stream)
    logger.info("crawler catalogue written: %s repositories", counted.count)
    return counted.count


def dump_write(directory: Path, base_url: str) -> int:
    """Dump.write: the file among the daily dumps of /donnees/ too."""
    return write(directory)


def stored(directory: Path | None = None) -> tuple[Path, dict] | None:
    """(the file's path, its META) when both are there and readable, else None."""
    directory = Path(directory or dumps_directory())
    path = directory / FILE
    try:
        with (directory / META).open(encoding="utf-8") as stream:
            meta = json.load(stream)
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or not path.is_file():
        return None
    return path, meta


def decompressed(path: Path) -> Iterator[bytes]:
    """The file's JSON bytes, READ_SIZE at a time (for a client that refuses gzip)."""
    with gzip.open(path, "rb") as stream:
        while block := stream.read(READ_SIZE):
            yield block


# Among the data sets of /donnees/ (catalog.open_data), with its live address.
DUMP = Dump(
    "crawler",
    (FILE,),
    _("Dépôts pour les moissonneurs publiccode.yml"),
    _(
        "Chaque dépôt visible, archivés compris, avec l’adresse brute de son fichier "
        'publiccode.yml s’il en a un, dans un seul document JSON {"data": […]} que le '
        "moissonneur de Developers Italia lit avec son pilote JSON. Servi à jour à "
        "l’adresse /api/v1/catalog.json, régénéré après chaque collecte."
    ),
    [
        Column("url", "url", _("Adresse du dépôt sur sa forge.")),
        Column(
            "publiccode_url",
            "url",
            _(
                "Adresse brute du fichier publiccode.yml à la racine de la branche par "
                "défaut ; null quand la collecte n’en a pas trouvé."
            ),
        ),
    ],
    dump_write,
    live="api_catalog",
    live_label=_("Document à jour : /api/v1/catalog.json"),
)
