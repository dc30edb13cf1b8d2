"""Python: requirements files (pip's format) and pyproject.toml (PEP 621, PEP 735, Poetry).

Every requirement is read by `packaging` (PEP 508), never by a regular expression: a line
without `==`, with extras or with an environment marker is kept as written (the former
code.gouv.fr kept only `name==version` lines and lost most of them).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from catalog.manifests.base import (
    DEV_WORDS,
    DEVELOPMENT,
    OPTIONAL,
    RUNTIME,
    Collector,
    ParsedManifest,
    decode,
    quote,
)
from core.text import clean_line

ECOSYSTEM = "pypi"
# Lines that are not requirements: options (-r, -c, -e, -i, --index-url, --hash…).
_OPTION = re.compile(r"^-")
# A URL or a local path in place of a requirement (pip installs those directly).
_URL_OR_PATH = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|\.{0,2}/|\.$|~)", re.IGNORECASE)
# A comment: "#" at the start or after white space (a "#" inside a URL is not one).
_COMMENT = re.compile(r"(?:^|\s)#.*$")
# Per-requirement options after the requirement ("pkg==1 --hash=sha256:…").
_TRAILING_OPTIONS = re.compile(r"\s--?[a-z].*$", re.IGNORECASE)
# Words of a file name split on "-", "_", "." and "/".
_WORDS = re.compile(r"[-_./]+")
MAX_INCLUDE_DEPTH = 10


def requirements_scope(path: str) -> str:
    """ "development" when the file's name says dev or test (requirements-dev.txt,
    requirements/test.txt, dev-requirements.txt), else "runtime"."""
    posix = PurePosixPath(path)
    words = set(_WORDS.split(posix.stem.lower()))
    return DEVELOPMENT if words & DEV_WORDS else RUNTIME


def parse_requirements(path: str, content: bytes) -> ParsedManifest:
    """A pip requirements file: one PEP 508 requirement per line.

    Options, includes (-r, -c: the other file is read on its own when it is selected),
    editable installs, URLs and local paths are skipped: they name no registry package.
    """
    collector = Collector(ecosystem=ECOSYSTEM, manifest=path)
    text = decode(content, collector)
    scope = requirements_scope(path)
    for number, raw in _logical_lines(text):
        line = _COMMENT.sub("", raw).strip()
        if not line or _OPTION.match(line) or _URL_OR_PATH.match(line):
            continue
        line = _TRAILING_OPTIONS.sub("", line).strip()
        _add_requirement(collector, line, scope, f"line {number}")
    return collector.finish()


def _logical_lines(text: str):
    """(number of the first line, text) of each line, a backslash at the end of a line
    joining it to the next as pip does."""
    pending, start = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        yield start, " ".join(pending)
        pending = []
    if pending:
        yield start, " ".join(pending)


def parse_pyproject(path: str, content: bytes) -> ParsedManifest:
    """pyproject.toml: PEP 621 `[project]`, PEP 735 `[dependency-groups]` and Poetry."""
    collector = Collector(ecosystem=ECOSYSTEM, manifest=path)
    try:
        document = tomllib.loads(decode(content, collector))
    except (tomllib.TOMLDecodeError, RecursionError):
        return collector.fail("malformed TOML")

    project = _table(document.get("project"), "[project]", collector)
    tool = document.get("tool")
    poetry = _table(
        tool.get("poetry") if isinstance(tool, dict) else None, "[tool.poetry]", collector
    )

    name = project.get("name") or poetry.get("name")
    if isinstance(name, str):
        collector.result.package_name = clean_line(name, max_length=255)
    classifiers = project.get("classifiers") or poetry.get("classifiers")
    if isinstance(classifiers, list):
        # The classifier PyPI refuses on upload, which projects use to mark themselves private.
        collector.result.private = any(
            isinstance(c, str) and c.strip().lower().startswith("private ::") for c in classifiers
        )

    for requirement in _list(project.get("dependencies"), "project.dependencies", collector):
        _add_requirement(collector, requirement, RUNTIME, "project.dependencies")
    extras = _table(
        project.get("optional-dependencies"), "project.optional-dependencies", collector
    )
    for extra, requirements in extras.items():
        where = f"optional-dependencies.{clean_line(extra, max_length=40)}"
        for requirement in _list(requirements, where, collector):
            _add_requirement(collector, requirement, OPTIONAL, where)

    groups = _table(document.get("dependency-groups"), "[dependency-groups]", collector)
    for group in groups:
        for requirement in _group_requirements(groups, group, collector, ()):
            _add_requirement(collector, requirement, DEVELOPMENT, "dependency-groups")

    _poetry(poetry, collector)
    return collector.finish()


def _group_requirements(groups: dict, group: str, collector: Collector, stack: tuple):
    """The requirement strings of a PEP 735 group, its `{include-group = "…"}` entries
    expanded; a cycle or an unknown group gives a note, not a loop."""
    where = f"dependency-groups.{clean_line(group, max_length=40)}"
    if group in stack:
        collector.note(f"{where}: includes itself through {len(stack)} groups; cycle cut")
        return
    if len(stack) >= MAX_INCLUDE_DEPTH:
        collector.note(f"{where}: includes nested too deep; cut")
        return
    for entry in _list(groups.get(group), where, collector):
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, dict) and isinstance(entry.get("include-group"), str):
            included = entry["include-group"]
            if included not in groups:
                collector.note(f"{where}: includes unknown group {quote(included)}")
                continue
            yield from _group_requirements(groups, included, collector, (*stack, group))
        else:
            collector.note(f"{where}: an entry that is neither text nor an include; skipped")


def _poetry(poetry: dict, collector: Collector) -> None:
    """Poetry's tables: `dependencies` (runtime, `python` aside), `dev-dependencies` and
    `group.<name>.dependencies` (development; the group "main" is the runtime one)."""
    sections = [("tool.poetry.dependencies", poetry.get("dependencies"), RUNTIME)]
    sections.append(("tool.poetry.dev-dependencies", poetry.get("dev-dependencies"), DEVELOPMENT))
    for group, table in _table(poetry.get("group"), "tool.poetry.group", collector).items():
        where = f"tool.poetry.group.{clean_line(group, max_length=40)}"
        if not isinstance(table, dict):
            collector.note(f"{where} is not a table; skipped")
            continue
        scope = RUNTIME if group == "main" else DEVELOPMENT
        sections.append((f"{where}.dependencies", table.get("dependencies"), scope))

    for where, table, scope in sections:
        for raw_name, spec in _table(table, where, collector).items():
            if raw_name.lower() == "python":
                continue
            if collector.check_name(raw_name, where) is None:
                continue
            requirement, optional = _poetry_spec(spec)
            if requirement is None:
                collector.note(f"{where}: {quote(raw_name)} has a version of an unknown form")
                continue
            name = canonicalize_name(raw_name)
            # An optional Poetry dependency is installed only through an extra.
            collector.add(
                name=name,
                requirement=requirement,
                scope=OPTIONAL if optional and scope == RUNTIME else scope,
            )


def _poetry_spec(spec) -> tuple[str | None, bool]:
    """(requirement text, optional) of a Poetry dependency value: "^1.2", a table with
    `version` (or git/path/url, which have none), or a list of such tables (per-marker
    constraints). (None, False) for anything else."""
    if isinstance(spec, str):
        return spec, False
    if isinstance(spec, dict):
        version = spec.get("version", "")
        if not isinstance(version, str):
            return None, False
        markers = spec.get("markers")
        text = f"{version}; {markers}" if isinstance(markers, str) and markers else version
        return text, spec.get("optional") is True
    if isinstance(spec, list) and spec and all(isinstance(item, dict) for item in spec):
        parts = [_poetry_spec(item) for item in spec]
        if any(text is None for text, _ in parts):
            return None, False
        return " | ".join(text for text, _ in parts if text), all(opt for _, opt in parts)
    return None, False


def _add_requirement(collector: Collector, text, scope: str, where: str) -> None:
    """One PEP 508 requirement string. The requirement kept is the text after the name
    (extras, versions, markers: "[bcrypt]>=5.2; python_version < '3.12'"), as for the
    other ecosystems. A direct reference (`name @ URL`) keeps its name and markers but not
    the URL, which may carry a token."""
    if not isinstance(text, str):
        collector.note(f"{where}: a requirement that is not text; skipped")
        return
    if len(text) > 2000:
        collector.note(f"{where}: a requirement of {len(text)} characters; skipped")
        return
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        collector.note(f"{where}: {quote(text)} is not a requirement; skipped")
        return
    if collector.check_name(requirement.name, where) is None:
        return
    text = text.strip()
    if requirement.url:
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        markers = f"; {requirement.marker}" if requirement.marker else ""
        rest = f"{extras} @ (URL){markers}"
    elif text.startswith(requirement.name):
        rest = text[len(requirement.name) :]
    else:  # packaging kept the name as written, so this is only a safety net
        rest = str(requirement)[len(requirement.name) :]
    collector.add(name=canonicalize_name(requirement.name), requirement=rest.strip(), scope=scope)


def _table(value, where: str, collector: Collector) -> dict:
    """`value` when it is a table, else {} (with a note unless it is absent)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        collector.note(f"{where} is not a table; skipped")
        return {}
    return value


def _list(value, where: str, collector: Collector) -> list:
    """`value` when it is an array, else [] (with a note unless it is absent)."""
    if value is None:
        return []
    if not isinstance(value, list):
        collector.note(f"{where} is not an array; skipped")
        return []
    return value
