"""composer.json (PHP Composer): `require` and `require-dev`, platform packages aside."""

from __future__ import annotations

import re

from catalog.manifests.base import (
    DEVELOPMENT,
    RUNTIME,
    Collector,
    ParsedManifest,
    decode,
    load_json,
    quote,
)
from core.text import clean_line

ECOSYSTEM = "composer"
SECTIONS = (("require", RUNTIME), ("require-dev", DEVELOPMENT))
# Platform packages: the PHP runtime, its extensions and libraries, Composer's own APIs.
# They are requirements on the machine, not packages from a registry.
_PLATFORM = re.compile(
    r"^(?:php(?:-64bit|-ipv6|-zts|-debug)?|hhvm|ext-.+|lib-.+|composer(?:-plugin-api|-runtime-api)?)$"
)
_NAME = re.compile(r"^([^/]+)/([^/]+)$")


def parse(path: str, content: bytes) -> ParsedManifest:
    collector = Collector(ecosystem=ECOSYSTEM, manifest=path)
    try:
        document = load_json(decode(content, collector), collector)
    except (ValueError, RecursionError):
        return collector.fail("malformed JSON")
    if not isinstance(document, dict):
        return collector.fail("composer.json is not a JSON object")

    name = document.get("name")
    if isinstance(name, str):
        collector.result.package_name = clean_line(name, max_length=255).lower()

    for section, scope in SECTIONS:
        entries = document.get(section)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            collector.note(f"{section} is not an object; skipped")
            continue
        for raw_name, requirement in entries.items():
            if collector.check_name(raw_name, section) is None:
                continue
            # Composer compares package names without regard to case.
            name = raw_name.lower()
            if _PLATFORM.match(name):
                continue
            if not isinstance(requirement, str):
                collector.note(f"{section}: {quote(raw_name)} has a version that is not text")
                continue
            match = _NAME.match(name)
            if not match:
                collector.note(f"{section}: {quote(raw_name)} is not vendor/name; skipped")
                continue
            vendor, package = match.groups()
            collector.add(
                name=name, requirement=requirement, scope=scope, namespace=vendor, purl_name=package
            )
    return collector.finish()
