"""What every manifest parser shares: the result types, the bounds and the checks of names.

A manifest comes from a repository anyone may push to: every value is checked (type, length,
characters) before it becomes a `Dependency`, and a bad value is skipped with a short note in
`errors` instead of raising, so that one odd entry never costs the rest of the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from packageurl import PackageURL

from core.text import clean_line, has_control_characters

# A manifest larger than this is refused before any parser sees it: real ones are a few KB,
# and a parser's memory grows with its input (a 50 MB package.json would be read whole).
MAX_BYTES = 1024 * 1024
# The manifests read per repository (select_manifests): a monorepo's first level, not all.
MAX_MANIFESTS = 25
# Dependencies kept per manifest; beyond that the file is generated or hostile.
MAX_DEPENDENCIES = 1000
# Notes kept per manifest: enough to explain, never a copy of a hostile file.
MAX_ERRORS = 20
# Longest dependency name (npm allows 214; Maven group:artifact and Go module paths run
# longer) and longest requirement text kept.
MAX_NAME_LENGTH = 255
MAX_REQUIREMENT_LENGTH = 255
# Longest piece of a manifest quoted in a note.
_QUOTE_LENGTH = 60

RUNTIME = "runtime"
DEVELOPMENT = "development"
PEER = "peer"
OPTIONAL = "optional"
BUILD = "build"
SCOPES = (RUNTIME, DEVELOPMENT, PEER, OPTIONAL, BUILD)

# user:password@ or token@ in a URL, which a requirement text may carry (git+https://…).
_CREDENTIALS = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/@\s]*@")


@dataclass(frozen=True)
class Dependency:
    """One declared dependency, as the manifest states it (never resolved)."""

    ecosystem: str
    # The ecosystem's own spelling, normalised: "@scope/name" (npm), PEP 503 (pypi),
    # "group:artifact" (maven), "vendor/name" (composer), the module path (golang).
    name: str
    # Package URL without version: "pkg:npm/%40scope/name".
    purl: str
    # The requirement as written ("^1.2", ">=2; python_version<'3.12'", "${x.version}"),
    # cleaned, credentials removed, bounded; "" when none.
    requirement: str
    scope: str
    # Path of the manifest in the repository.
    manifest: str


@dataclass
class ParsedManifest:
    """What one manifest declares.

    `errors` are short notes safe to show. `ok` is False when the file as a whole could not
    be read (too large, malformed, wrong shape): then `dependencies` is empty and the caller
    keeps what it had before. With `ok` True, notes explain entries that were skipped.
    """

    ecosystem: str
    dependencies: list[Dependency] = field(default_factory=list)
    package_name: str = ""
    private: bool = False
    errors: list[str] = field(default_factory=list)
    ok: bool = True


class Collector:
    """Builds a `ParsedManifest`: checks each entry, bounds the counts, never raises."""

    def __init__(self, *, ecosystem: str, manifest: str):
        self.ecosystem = ecosystem
        self.manifest = manifest
        self.result = ParsedManifest(ecosystem=ecosystem)
        self._seen: set[tuple[str, str]] = set()
        self._dropped_errors = 0
        self._dropped_dependencies = 0

    # Notes -----------------------------------------------------------------------------

    def note(self, message: str) -> None:
        if len(self.result.errors) < MAX_ERRORS:
            self.result.errors.append(clean_line(message, max_length=200))
        else:
            self._dropped_errors += 1

    def fail(self, message: str) -> ParsedManifest:
        """The whole file is unreadable: a note, no dependencies, `ok` False."""
        self.note(message)
        self.result.dependencies = []
        self.result.ok = False
        return self.finish()

    # Entries ---------------------------------------------------------------------------

    def check_name(self, name, where: str) -> str | None:
        """`name` when it is a plausible package name, else None with a note.

        Names are identifiers, not prose: one with white space or control characters, or
        longer than MAX_NAME_LENGTH, is refused rather than silently cleaned into another.
        """
        if not isinstance(name, str):
            self.note(f"{where}: a name that is not text was skipped")
            return None
        if not name:
            self.note(f"{where}: an empty name was skipped")
            return None
        if len(name) > MAX_NAME_LENGTH:
            self.note(f"{where}: a name of {len(name)} characters was skipped")
            return None
        if has_control_characters(name) or any(c.isspace() for c in name):
            self.note(f"{where}: {quote(name)} has spaces or control characters; skipped")
            return None
        return name

    def add(
        self,
        *,
        name: str,
        requirement="",
        scope: str,
        namespace: str | None = None,
        purl_name: str | None = None,
    ) -> None:
        """Adds one dependency; the first of a (name, scope) pair wins.

        The purl is built from `namespace`/`purl_name` (default: no namespace, `name`). A name
        the purl library refuses is skipped with a note.
        """
        if (name, scope) in self._seen:
            return
        if len(self.result.dependencies) >= MAX_DEPENDENCIES:
            self._dropped_dependencies += 1
            return
        try:
            purl = PackageURL(
                type=self.ecosystem, namespace=namespace, name=purl_name or name
            ).to_string()
        except ValueError:
            self.note(f"{quote(name)}: not a valid package name; skipped")
            return
        self._seen.add((name, scope))
        self.result.dependencies.append(
            Dependency(
                ecosystem=self.ecosystem,
                name=name,
                purl=purl,
                requirement=clean_requirement(requirement),
                scope=scope,
                manifest=self.manifest,
            )
        )

    def finish(self) -> ParsedManifest:
        if self._dropped_dependencies:
            self.note(
                f"more than {MAX_DEPENDENCIES} dependencies: "
                f"{self._dropped_dependencies} were not kept"
            )
        if self._dropped_errors:
            self.result.errors.append(f"… and {self._dropped_errors} more notes")
        return self.result


def clean_requirement(value) -> str:
    """A requirement text fit to store and show: one line, no credentials, bounded."""
    if not isinstance(value, str):
        return ""
    text = _CREDENTIALS.sub(r"\1", value)
    return clean_line(text, max_length=MAX_REQUIREMENT_LENGTH)


def quote(value) -> str:
    """A short, cleaned, quoted excerpt of a value from the manifest, for a note."""
    text = clean_line(str(value), max_length=_QUOTE_LENGTH)
    return f"“{text}”"


def decode(content: bytes, collector: Collector) -> str:
    """The text of a manifest: UTF-8 (a BOM is dropped), else Latin-1 with a note.

    Every format here is meant to be UTF-8, but older projects save a Gemfile or a
    package.json with an accented author name in Latin-1 (or Windows-1252). The names that
    matter are ASCII, so reading the file as Latin-1 still gives the right dependencies; the
    note tells the maintainers. Latin-1 decodes any byte string, so this never fails.
    """
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        collector.note("not UTF-8: read as Latin-1")
        return content.decode("latin-1")


def load_json(text: str, collector: Collector):
    """The JSON document in `text`; a repeated key keeps its last value (as npm and Composer
    do, whose JSON readers are JSON.parse and json_decode) with a note. Raises ValueError
    (or RecursionError on absurd nesting) for the caller to report."""

    def pairs(items):
        obj = {}
        for key, value in items:
            if key in obj:
                collector.note(f"key {quote(key)} appears twice: the last one counts")
            obj[key] = value
        return obj

    return json.loads(text, object_pairs_hook=pairs)


# Words in a file or group name that say "only for development" (requirements-dev.txt,
# requirements/test.txt, a Poetry or PEP 735 group, a Bundler group).
DEV_WORDS = frozenset(
    {"dev", "devel", "develop", "development", "test", "tests", "testing", "lint", "linting"}
    | {"docs", "doc", "ci", "qa"}
)
