"""Package manifests: which files of a repository to read, and what they declare.

Pure functions over paths and bytes (ADR 0020): no database, no network, nothing resolved.
The harvest fetches the files `select_manifests` picks from a repository's tree and hands
each one's bytes to `parse_manifest`, which never raises: whatever a manifest holds, the
answer is a `ParsedManifest` with its dependencies and short notes on what was skipped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote

from packageurl import PackageURL
from packaging.utils import canonicalize_name

from catalog.manifests import cargo, composer, golang, maven, npm, python, ruby
from catalog.manifests.base import (
    BUILD,
    DEVELOPMENT,
    MAX_BYTES,
    MAX_MANIFESTS,
    OPTIONAL,
    PEER,
    RUNTIME,
    SCOPES,
    Collector,
    Dependency,
    ParsedManifest,
)
from core.text import clean_line, has_control_characters

__all__ = [
    "BUILD",
    "DEVELOPMENT",
    "MAX_BYTES",
    "MAX_MANIFESTS",
    "OPTIONAL",
    "PEER",
    "RUNTIME",
    "SCOPES",
    "Dependency",
    "ParsedManifest",
    "directory_may_hold_manifests",
    "ecosystem_of",
    "normalize_purl",
    "parse_manifest",
    "registry_url",
    "select_manifests",
]

logger = logging.getLogger(__name__)

Parser = Callable[[str, bytes], ParsedManifest]
# Exact file names, as the tools themselves require them.
PARSERS: dict[str, tuple[str, Parser]] = {
    "package.json": (npm.ECOSYSTEM, npm.parse),
    "pyproject.toml": (python.ECOSYSTEM, python.parse_pyproject),
    "pom.xml": (maven.ECOSYSTEM, maven.parse),
    "composer.json": (composer.ECOSYSTEM, composer.parse),
    "Gemfile": (ruby.ECOSYSTEM, ruby.parse),
    "go.mod": (golang.ECOSYSTEM, golang.parse),
    "Cargo.toml": (cargo.ECOSYSTEM, cargo.parse),
}
REQUIREMENTS = (python.ECOSYSTEM, python.parse_requirements)
# requirements.txt, requirements-dev.txt, requirements_test.txt, dev-requirements.txt.
_REQUIREMENTS_FILE = re.compile(r"^(?:[\w.-]+[-_.])?requirements(?:[-_.][\w.-]*)?\.txt$", re.I)
# First-level directories whose manifests are not the project's own: installed or vendored
# third-party code, test fixtures and examples (a fixture package.json declares what a test
# needs, an example's what the example needs), and hidden directories (.github, .devcontainer).
EXCLUDED_DIRECTORIES = frozenset(
    {"node_modules", "vendor", "vendors", "third_party", "third-party", "bower_components"}
    | {"test", "tests", "__tests__", "spec", "fixtures", "__fixtures__", "testdata"}
    | {"example", "examples", "sample", "samples"}
)


def _parser_for(path: str) -> tuple[str, Parser] | None:
    parts = path.split("/")
    name = parts[-1]
    if name in PARSERS:
        return PARSERS[name]
    if _REQUIREMENTS_FILE.match(name):
        return REQUIREMENTS
    if len(parts) >= 2 and parts[-2] == "requirements" and name.lower().endswith(".txt"):
        return REQUIREMENTS
    return None


def ecosystem_of(path: str) -> str:
    """The ecosystem of the manifest at `path` ("npm", "pypi"…), or "" for another file."""
    found = _parser_for(path)
    return found[0] if found else ""


def _level(path: str) -> int | None:
    """0 for a manifest read at the root (requirements/*.txt included), 1 for one in a
    first-level directory, None for a file not to read."""
    if not path or path.startswith("/") or "\\" in path or has_control_characters(path):
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts) or _parser_for(path) is None:
        return None
    if len(parts) == 1:
        return 0
    if len(parts) != 2:
        return None
    directory = parts[0]
    if directory == "requirements" and parts[1].lower().endswith(".txt"):
        return 0  # requirements/dev.txt: the root's requirements, one folder down
    if directory.startswith(".") or directory.lower() in EXCLUDED_DIRECTORIES:
        return None
    return 1


def directory_may_hold_manifests(directory: str) -> bool:
    """Whether select_manifests may pick files in the first-level `directory` (not
    node_modules, tests, examples, hidden…): the directories worth listing where a forge
    gives no recursive tree."""
    return _level(f"{directory}/package.json") == 1 or directory == "requirements"


def select_manifests(paths: Iterable[str]) -> list[str]:
    """The manifests to read among `paths` (a repository tree's files, POSIX, relative).

    Those at the root and in first-level directories (a monorepo's packages), not below,
    never in EXCLUDED_DIRECTORIES; `requirements/*.txt` counts as the root's. Root ones
    first, then by path; at most MAX_MANIFESTS. The same input gives the same list.
    """
    levels: dict[str, int] = {}
    for raw in paths:
        if not isinstance(raw, str):
            continue
        path = raw.removeprefix("./")
        level = _level(path)
        if level is not None:
            levels[path] = level
    return sorted(levels, key=lambda path: (levels[path], path))[:MAX_MANIFESTS]


def parse_manifest(path: str, content: bytes) -> ParsedManifest:
    """What the manifest at `path` (its file name picks the format) declares.

    Never raises. A file over MAX_BYTES is refused before any parser sees it; a file that
    cannot be read as a whole gives `ok=False`, notes and no dependencies (the caller keeps
    the ones it had); a bad entry is skipped with a note.
    """
    path = clean_line(path, max_length=500) if isinstance(path, str) else ""
    found = _parser_for(path)
    if found is None:
        return ParsedManifest(ecosystem="", errors=["not a known manifest"], ok=False)
    ecosystem, parser = found
    collector = Collector(ecosystem=ecosystem, manifest=path)
    if isinstance(content, bytearray | memoryview):
        content = bytes(content)
    if not isinstance(content, bytes):
        return collector.fail("the content is not bytes")
    if len(content) > MAX_BYTES:
        return collector.fail(
            f"larger than {MAX_BYTES // 1024} KB ({len(content)} bytes): not read"
        )
    try:
        return parser(path, content)
    except Exception:
        # Every parser handles its own errors; this is the net under a case none foresaw,
        # logged for us, summarised for the page.
        logger.exception("Manifest parser failed on %s", path)
        return collector.fail("could not be read")


# Ecosystems whose registry compares names whatever their case (ADR 0020, "Names").
_CASE_INSENSITIVE = frozenset({npm.ECOSYSTEM, composer.ECOSYSTEM, python.ECOSYSTEM})


def normalize_purl(text) -> str:
    """The package URL the parsers would store for `text` (a purl someone typed:
    `pkg:PyPI/Django_Rest`, `pkg:npm/@vue/core@3`), version, qualifiers and subpath dropped,
    type lower-cased, the name normalised as its ecosystem's registry compares them; "" when
    `text` is not a package URL of a known ecosystem."""
    if not isinstance(text, str) or len(text) > 500 or has_control_characters(text):
        return ""
    try:
        purl = PackageURL.from_string(text.strip())
    except ValueError:
        return ""
    kind = purl.type.lower()
    if kind not in REGISTRIES:
        return ""
    namespace, name = purl.namespace, purl.name
    if kind == python.ECOSYSTEM:
        name = canonicalize_name(name)
    elif kind in _CASE_INSENSITIVE:
        namespace, name = (namespace or "").lower() or None, name.lower()
    try:
        return PackageURL(type=kind, namespace=namespace, name=name).to_string()
    except ValueError:
        return ""


# The public page of a package on its ecosystem's registry, by ecosystem.
REGISTRIES = {
    npm.ECOSYSTEM: "https://www.npmjs.com/package/{name}",
    python.ECOSYSTEM: "https://pypi.org/project/{name}/",
    maven.ECOSYSTEM: "https://central.sonatype.com/artifact/{group}/{artifact}",
    composer.ECOSYSTEM: "https://packagist.org/packages/{name}",
    ruby.ECOSYSTEM: "https://rubygems.org/gems/{name}",
    golang.ECOSYSTEM: "https://pkg.go.dev/{name}",
    cargo.ECOSYSTEM: "https://crates.io/crates/{name}",
}


def registry_url(ecosystem: str, name: str) -> str:
    """The registry page of the package `name` (as stored) of `ecosystem`, or ""."""
    template = REGISTRIES.get(ecosystem)
    if not template or not name:
        return ""
    if ecosystem == maven.ECOSYSTEM:
        group, _, artifact = name.partition(":")
        if not artifact:
            return ""
        return template.format(group=quote(group, safe=""), artifact=quote(artifact, safe=""))
    return template.format(name=quote(name, safe="/@"))
