"""package.json (npm, Yarn, pnpm): the four dependency objects, the name and `private`."""

from __future__ import annotations

import re

from catalog.manifests.base import (
    DEVELOPMENT,
    OPTIONAL,
    PEER,
    RUNTIME,
    Collector,
    ParsedManifest,
    decode,
    load_json,
    quote,
)
from core.text import clean_line

ECOSYSTEM = "npm"
SECTIONS = (
    ("dependencies", RUNTIME),
    ("devDependencies", DEVELOPMENT),
    ("peerDependencies", PEER),
    ("optionalDependencies", OPTIONAL),
)
# "name" or "@scope/name"; the registry's other rules (URL-safe, no leading dot) are left to
# the purl library, which percent-encodes whatever remains.
_NAME = re.compile(r"^(?:(@[^/@]+)/)?([^/@][^/]*)$")
# "npm:real-name@^1" installs real-name under another name (an alias).
_ALIAS = re.compile(r"^npm:((?:@[^/@]+/)?[^/@]+)(?:@(.*))?$")


def parse(path: str, content: bytes) -> ParsedManifest:
    collector = Collector(ecosystem=ECOSYSTEM, manifest=path)
    try:
        document = load_json(decode(content, collector), collector)
    except (ValueError, RecursionError):
        return collector.fail("malformed JSON")
    if not isinstance(document, dict):
        return collector.fail("package.json is not a JSON object")

    name = document.get("name")
    if isinstance(name, str):
        collector.result.package_name = clean_line(name, max_length=255)
    # npm refuses to publish only when `private` is true (the boolean).
    collector.result.private = document.get("private") is True

    for section, scope in SECTIONS:
        entries = document.get(section)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            collector.note(f"{section} is not an object; skipped")
            continue
        for raw_name, requirement in entries.items():
            _add(collector, section, raw_name, requirement, scope)
    return collector.finish()


def _add(collector: Collector, section: str, raw_name, requirement, scope: str) -> None:
    if collector.check_name(raw_name, section) is None:
        return
    if not isinstance(requirement, str):
        collector.note(f"{section}: {quote(raw_name)} has a version that is not text; skipped")
        return
    # An alias depends on the package it names, not on the key.
    alias = _ALIAS.match(requirement)
    if alias:
        raw_name, requirement = alias.group(1), alias.group(2) or ""
        if collector.check_name(raw_name, section) is None:
            return
    # New npm names are lower case (a few old ones are not); the purl specification
    # lower-cases npm names, so one package has one purl whatever the manifest's spelling.
    name = raw_name.lower()
    match = _NAME.match(name)
    if not match:
        collector.note(f"{section}: {quote(raw_name)} is not an npm package name; skipped")
        return
    scope_part, bare = match.groups()
    collector.add(
        name=name, requirement=requirement, scope=scope, namespace=scope_part, purl_name=bare
    )
