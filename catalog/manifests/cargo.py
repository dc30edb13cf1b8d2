"""Cargo.toml (Rust): the three dependency tables, also under `[target.'cfg(…)']`.

A dependency renamed in the manifest (`alias = { package = "real-name" }`) is the package it
names. `[workspace.dependencies]` only declares versions that members inherit
(`{ workspace = true }`): a workspace root lists no dependency of its own, and neither does it
here.
"""

from __future__ import annotations

import tomllib

from catalog.manifests.base import (
    BUILD,
    DEVELOPMENT,
    OPTIONAL,
    RUNTIME,
    Collector,
    ParsedManifest,
    decode,
    quote,
)
from core.text import clean_line

ECOSYSTEM = "cargo"
# Table name → scope; the underscore spellings are Cargo's older, still accepted ones.
TABLES = {
    "dependencies": RUNTIME,
    "dev-dependencies": DEVELOPMENT,
    "dev_dependencies": DEVELOPMENT,
    "build-dependencies": BUILD,
    "build_dependencies": BUILD,
}


def parse(path: str, content: bytes) -> ParsedManifest:
    collector = Collector(ecosystem=ECOSYSTEM, manifest=path)
    try:
        document = tomllib.loads(decode(content, collector))
    except (tomllib.TOMLDecodeError, RecursionError):
        return collector.fail("malformed TOML")

    package = document.get("package")
    if isinstance(package, dict):
        name = package.get("name")
        if isinstance(name, str):
            collector.result.package_name = clean_line(name, max_length=255)
        # `publish = false` or an empty list of registries: never published.
        collector.result.private = package.get("publish") in (False, [])

    sections = [("", document)]
    targets = document.get("target")
    if isinstance(targets, dict):
        sections += [
            (f"target.{clean_line(cfg, max_length=60)}.", table)
            for cfg, table in targets.items()
            if isinstance(table, dict)
        ]
    for prefix, container in sections:
        for table_name, scope in TABLES.items():
            table = container.get(table_name)
            if table is None:
                continue
            where = prefix + table_name
            if not isinstance(table, dict):
                collector.note(f"{where} is not a table; skipped")
                continue
            for key, spec in table.items():
                _add(collector, key, spec, scope, where)
    return collector.finish()


def _add(collector: Collector, key: str, spec, scope: str, where: str) -> None:
    if isinstance(spec, str):
        name, requirement, optional = key, spec, False
    elif isinstance(spec, dict):
        name = spec.get("package", key)
        version = spec.get("version", "")
        if not isinstance(version, str):
            collector.note(f"{where}: {quote(key)} has a version that is not text; skipped")
            return
        # Inherited from the workspace: the version is written in the root's manifest.
        requirement = "workspace" if spec.get("workspace") is True and not version else version
        optional = spec.get("optional") is True
    else:
        collector.note(f"{where}: {quote(key)} has a value of an unknown form; skipped")
        return
    if collector.check_name(name, where) is None:
        return
    collector.add(
        name=name,
        requirement=requirement,
        scope=OPTIONAL if optional and scope == RUNTIME else scope,
    )
