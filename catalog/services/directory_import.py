"""Import the State's directory of public bodies: DILA's "Référentiel de l'organisation
administrative de l'État" (`dila_refOrga_admin_Etat_fr`, JSON, usually zipped).

Why: the lists shipped in catalog/data name the ministries and a few institutions; the
directory names every State service, its acronym and its principal attachment ("Service
Fils" links, from a parent to each child), which tells the portal which ministry a body
belongs to. "Autre hiérarchie" links are secondary attachments and define no parent.

The file is tens of megabytes, mostly addresses, opening hours and people: it is streamed
with ijson and only a compact {id: name, acronym, SIREN} and {child: parent} are kept. Only
the bodies the portal needs are stored: those it already knows by their directory id
(accounts, declarations, contributions point at them), the ministries, and all their
ancestors. The whole file is read before anything is written, then everything is written
in one transaction: a file that cannot be read changes nothing.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NamedTuple

import ijson
import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.enums import NameSource
from catalog.models import PublicBody
from catalog.services.public_bodies import NAME_MAX_LENGTH, name_bodies
from core.http import USER_AGENT
from core.text import clean_line

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
UTF8_BOM = b"\xef\xbb\xbf"
PRINCIPAL_LINK = "service fils"
ID_MAX_LENGTH = PublicBody._meta.get_field("pso_id").max_length
ACRONYM_MAX_LENGTH = PublicBody._meta.get_field("acronym").max_length
EXAMPLES = 5
CHUNK = 64 * 1024

# Reasons an entry or a link is skipped, as the report prints them.
NOT_AN_OBJECT = "entries that are not JSON objects"
NO_ID = "entries without an id"
NO_NAME = "entries without a name (nom)"
DUPLICATE = "entries whose id was already listed (the first is kept)"
DANGLING = "Service Fils links to an id the file does not describe"
SECOND_PARENT = "children listed by a second parent (the first is kept)"
CYCLE = "cycles of Service Fils links (their links are ignored)"


class DirectoryError(Exception):
    """The directory cannot be read at all: nothing was changed."""


class DirectoryDownloadError(DirectoryError):
    """The directory could not be downloaded: worth trying again later."""


class Entry(NamedTuple):
    name: str
    acronym: str
    siren: str


@dataclass
class Problems:
    """How many entries or links were skipped for one reason, with a few examples."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(example)


@dataclass
class DirectoryReport:
    services: int = 0
    kept: int = 0
    created: int = 0
    named: int = 0
    acronyms: int = 0
    sirens: int = 0
    parents: int = 0
    ministries: int = 0
    skipped: dict[str, Problems] = field(default_factory=dict)
    # Bodies the portal knows by a directory id that the directory does not list.
    unknown: Problems = field(default_factory=Problems)

    def skip(self, reason: str, example: str) -> None:
        self.skipped.setdefault(reason, Problems()).add(example)

    def summary(self) -> str:
        skipped = sum(problems.count for problems in self.skipped.values())
        return (
            f"{self.services} services read, {self.kept} bodies kept up to date "
            f"({self.created} created): {self.named} named, {self.acronyms} acronyms, "
            f"{self.sirens} SIRENs, {self.parents} parents, {self.ministries} ministries set; "
            f"{skipped} entries or links skipped, {self.unknown.count} bodies not in the directory"
        )

    def details(self) -> list[str]:
        """One line per reason something was skipped or not found, with examples."""
        lines = [
            f"skipped: {problems.count} {reason}, e.g. {'; '.join(problems.examples)}"
            for reason, problems in self.skipped.items()
        ]
        if self.unknown.count:
            lines.append(
                f"not in the directory: {self.unknown.count} bodies, "
                f"e.g. {'; '.join(self.unknown.examples)}"
            )
        return lines


def _max_bytes() -> int:
    return settings.PUBLIC_BODIES_DIRECTORY_MAX_BYTES


def _too_large(what: str, max_bytes: int) -> DirectoryError:
    return DirectoryError(
        f"{what} is larger than {max_bytes} bytes (PUBLIC_BODIES_DIRECTORY_MAX_BYTES)"
    )


class _Capped(io.RawIOBase):
    """A reader that refuses to read more than `max_bytes`: the cap holds for the
    uncompressed JSON of a zip, and for a stream whose size is not known in advance."""

    def __init__(self, stream: BinaryIO, max_bytes: int, what: str):
        self.stream, self.max_bytes, self.what, self.read_bytes = stream, max_bytes, what, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.read_bytes += len(data)
        if self.read_bytes > self.max_bytes:
            raise _too_large(self.what, self.max_bytes)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _size(stream: BinaryIO) -> int | None:
    if not getattr(stream, "seekable", lambda: False)():
        return None
    position = stream.tell()
    size = stream.seek(0, os.SEEK_END) - position
    stream.seek(position)
    return size


@contextmanager
def _json_stream(source: str | os.PathLike | BinaryIO, max_bytes: int) -> Iterator[BinaryIO]:
    """The JSON bytes of `source` (a path or a binary file object), unzipped when it is a
    zip archive (its first .json member), read through the size cap."""
    with ExitStack() as stack:
        if isinstance(source, (str, os.PathLike)):
            try:
                stream = stack.enter_context(Path(source).open("rb"))
            except OSError as exc:
                raise DirectoryError(f"cannot read {source}: {exc.strerror or exc}") from None
        else:
            stream = source
        size = _size(stream)
        if size is None:
            # zipfile needs to seek: a stream that cannot goes to a temporary file first.
            spooled = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=CHUNK))
            shutil.copyfileobj(_Capped(stream, max_bytes, "the file"), spooled)
            spooled.seek(0)
            stream, size = spooled, _size(spooled)
        if size > max_bytes:
            raise _too_large("the file", max_bytes)
        start = stream.tell()
        head = stream.read(4)
        stream.seek(start)
        if head in ZIP_MAGIC:
            stream = stack.enter_context(_zip_member(stream, max_bytes))
        yield _Capped(stream, max_bytes, "the JSON file")


@contextmanager
def _zip_member(stream: BinaryIO, max_bytes: int) -> Iterator[BinaryIO]:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DirectoryError(f"not a readable zip archive ({exc})") from None
    with archive:
        member = next(
            (
                info
                for info in archive.infolist()
                if not info.is_dir() and info.filename.lower().endswith(".json")
            ),
            None,
        )
        if member is None:
            raise DirectoryError("the zip archive holds no .json file")
        if member.file_size > max_bytes:
            raise _too_large(f"{member.filename} in the zip archive", max_bytes)
        try:
            opened = archive.open(member)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise DirectoryError(f"cannot open {member.filename} in the zip ({exc})") from None
        with opened:
            yield opened


def _first_line(exc: Exception) -> str:
    """ijson's message without the lines that quote the file."""
    message = exc.args[0] if exc.args else ""
    if isinstance(message, bytes):
        message = message.decode("utf-8", errors="replace")
    lines = str(message).strip().splitlines()
    return clean_line(lines[0] if lines else type(exc).__name__, max_length=200)


def _text(value, max_length: int) -> str:
    return clean_line(value, max_length=max_length) if isinstance(value, (str, int)) else ""


def _luhn(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _siren(entry: dict) -> str:
    """The SIREN of `entry`: its `siren`, or the first nine digits of its `siret`, when
    the number is well formed (digits, Luhn key); else ""."""
    siren = "".join(_text(entry.get("siren"), 20).split())
    if len(siren) == 9 and siren.isdigit() and _luhn(siren):
        return siren
    siret = "".join(_text(entry.get("siret"), 30).split())
    if len(siret) == 14 and siret.isdigit() and _luhn(siret[:9]):
        return siret[:9]
    return ""


class _Directory:
    """What the import keeps of the file: names and Service Fils links, by id."""

    def __init__(self, report: DirectoryReport):
        self.report = report
        self.entries: dict[str, Entry] = {}
        self.skipped_ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (parent, child), in the file's order
        self.parent_of: dict[str, str] = {}

    def label(self, pso_id: str) -> str:
        entry = self.entries.get(pso_id)
        return f"{entry.name} ({pso_id})" if entry else pso_id

    def add(self, position: int, entry) -> None:
        self.report.services += 1
        where = f"entry #{position + 1}"
        if not isinstance(entry, dict):
            self.report.skip(NOT_AN_OBJECT, where)
            return
        pso_id = _text(entry.get("id"), ID_MAX_LENGTH)
        name = _text(entry.get("nom"), NAME_MAX_LENGTH)
        if not pso_id:
            self.report.skip(NO_ID, f"{where} {name}".strip())
            return
        if pso_id in self.entries or pso_id in self.skipped_ids:
            self.report.skip(DUPLICATE, pso_id)
            return
        if not name:
            self.skipped_ids.add(pso_id)
            self.report.skip(NO_NAME, pso_id)
            return
        acronym = _text(entry.get("sigle"), ACRONYM_MAX_LENGTH)
        self.entries[pso_id] = Entry(name, acronym, _siren(entry))
        links = entry.get("hierarchie")
        for link in links if isinstance(links, list) else []:
            if not isinstance(link, dict):
                continue
            kind = _text(link.get("type_hierarchie"), 100).casefold()
            child = _text(link.get("service"), ID_MAX_LENGTH)
            if kind == PRINCIPAL_LINK and child:
                self.links.append((pso_id, child))

    def resolve(self) -> None:
        """{child: parent} from the links: the first parent wins, links to an id without
        an entry are dropped, and so are the links of a cycle."""
        for parent, child in self.links:
            if child in self.skipped_ids:
                continue  # the child's own entry is reported already
            if child not in self.entries:
                self.report.skip(DANGLING, f"{self.label(parent)} → {child}")
            elif child in self.parent_of:
                if self.parent_of[child] != parent:
                    self.report.skip(
                        SECOND_PARENT, f"{self.label(child)} under {self.label(parent)}"
                    )
            else:
                self.parent_of[child] = parent
        self.links = []
        self._break_cycles()

    def _break_cycles(self) -> None:
        done: set[str] = set()
        for start in list(self.parent_of):
            path: list[str] = []
            on_path: set[str] = set()
            node = start
            while node is not None and node not in done and node not in on_path:
                path.append(node)
                on_path.add(node)
                node = self.parent_of.get(node)
            if node is not None and node in on_path:
                cycle = path[path.index(node) :]
                self.report.skip(CYCLE, " → ".join(self.label(member) for member in cycle))
                for member in cycle:
                    del self.parent_of[member]
            done.update(path)

    def ancestors(self, pso_id: str) -> Iterator[str]:
        parent = self.parent_of.get(pso_id)
        while parent is not None:
            yield parent
            parent = self.parent_of.get(parent)


class _Prefixed(io.RawIOBase):
    """`head` (bytes already read to look for a byte order mark), then the rest of `stream`."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self.head, self.stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            size = min(len(buffer), len(self.head))
            buffer[:size], self.head = self.head[:size], self.head[size:]
            return size
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read(stream: BinaryIO, report: DirectoryReport) -> _Directory:
    directory = _Directory(report)
    head = stream.read(len(UTF8_BOM))
    if head != UTF8_BOM:
        stream = io.BufferedReader(_Prefixed(head, stream), CHUNK)
    try:
        for position, entry in enumerate(ijson.items(stream, "service.item", use_float=True)):
            directory.add(position, entry)
    except ijson.JSONError as exc:
        raise DirectoryError(f"not valid JSON: {_first_line(exc)}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise DirectoryError(f"the zip archive is damaged ({exc})") from None
    if not report.services:
        raise DirectoryError('no services: expected a JSON object with a "service" array')
    directory.resolve()
    return directory


def _ministry(body: PublicBody, parents: dict[int, PublicBody | None]) -> PublicBody | None:
    """The first of `body` and its ancestors that is a ministry (the chain has no cycle)."""
    while body is not None and not body.is_ministry:
        body = parents.get(body.pk)
    return body


def _write(directory: _Directory, report: DirectoryReport) -> None:
    entries = directory.entries
    with transaction.atomic():
        # Every body the portal knows by its id (the ministries among them).
        known = dict(
            PublicBody.objects.select_for_update()
            .filter(pso_id__isnull=False)
            .values_list("pso_id", "name")
        )
        needed = set()
        for pso_id, name in sorted(known.items()):
            if pso_id in entries:
                needed.add(pso_id)
                needed.update(directory.ancestors(pso_id))
            elif pso_id:
                report.unknown.add(f"{name} ({pso_id})" if name else pso_id)
        missing = needed - set(known)
        PublicBody.objects.bulk_create(
            [PublicBody(pso_id=pso_id) for pso_id in sorted(missing)], ignore_conflicts=True
        )
        report.kept, report.created = len(needed), len(missing)
        report.named = name_bodies(
            {pso_id: entries[pso_id].name for pso_id in needed}, NameSource.DIRECTORY
        )

        bodies = {
            body.pso_id: body
            for body in PublicBody.objects.select_for_update().filter(pso_id__in=needed)
        }
        parents = {
            body.pk: bodies.get(directory.parent_of.get(pso_id)) for pso_id, body in bodies.items()
        }
        now = timezone.now()
        for pso_id, body in sorted(bodies.items()):
            entry, changed = entries[pso_id], []
            # An editor owns the name of the body and the acronym shown with it.
            editor = body.name_source == NameSource.EDITOR and body.acronym
            if not editor and body.acronym != entry.acronym:
                body.acronym = entry.acronym
                changed.append("acronym")
                report.acronyms += 1
            if entry.siren and not body.siren:
                body.siren = entry.siren
                changed.append("siren")
                report.sirens += 1
            parent = parents[body.pk]
            if body.parent_id != (parent.pk if parent else None):
                body.parent = parent
                changed.append("parent")
                report.parents += 1
            ministry = _ministry(body, parents)
            if body.ministry_id != (ministry.pk if ministry else None):
                body.ministry = ministry
                changed.append("ministry")
                report.ministries += 1
            if changed:
                body.updated_at = now
                body.save(update_fields=[*changed, "updated_at"])


def import_directory(source: str | os.PathLike | BinaryIO) -> DirectoryReport:
    """Names, acronyms, SIRENs, parents and ministries of the bodies the portal needs, from
    the directory at `source` (a path or a binary file object; JSON or a zip of it).

    Raises DirectoryError, having changed nothing, when the file cannot be read, is not
    JSON, has no "service" array, or is larger than PUBLIC_BODIES_DIRECTORY_MAX_BYTES;
    entries and links that make no sense are skipped and counted in the report."""
    report = DirectoryReport()
    with _json_stream(source, _max_bytes()) as stream:
        directory = _read(stream, report)
    _write(directory, report)
    return report


@contextmanager
def downloaded(url: str) -> Iterator[Path]:
    """The file at `url`, downloaded into a temporary file (removed afterwards) with the
    harvest's timeouts, and refused beyond PUBLIC_BODIES_DIRECTORY_MAX_BYTES."""
    if not url.startswith(("http://", "https://")):
        raise DirectoryError(f"{url} is not an http(s) URL")
    max_bytes = _max_bytes()
    timeout = (settings.HARVEST_CONNECT_TIMEOUT, settings.HARVEST_READ_TIMEOUT)
    with tempfile.TemporaryDirectory(prefix="codegouv-directory-") as folder:
        path = Path(folder) / "directory"
        try:
            with requests.get(
                url, stream=True, timeout=timeout, headers={"User-Agent": USER_AGENT}
            ) as response:
                if 400 <= response.status_code < 500:
                    raise DirectoryError(f"cannot download {url}: HTTP {response.status_code}")
                response.raise_for_status()
                length = response.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise _too_large(url, max_bytes)
                with path.open("wb") as file:
                    shutil.copyfileobj(_Capped(_Chunks(response), max_bytes, url), file)
        except requests.RequestException as exc:
            raise DirectoryDownloadError(f"cannot download {url}: {exc}") from None
        yield path


class _Chunks:
    """A response body as a file object (decoded when the server compressed it)."""

    def __init__(self, response: requests.Response):
        self.chunks = response.iter_content(CHUNK)

    def read(self, size: int = -1) -> bytes:
        return next((chunk for chunk in self.chunks if chunk), b"")


@contextmanager
def opened(source: str) -> Iterator[str | Path]:
    """`source` as a local path: an http(s) URL is downloaded first."""
    if source.startswith(("http://", "https://")):
        with downloaded(source) as path:
            yield path
    else:
        yield source
