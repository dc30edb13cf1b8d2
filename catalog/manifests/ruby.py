"""Gemfile (Bundler): `gem` lines, their versions and groups, read line by line.

A Gemfile is Ruby and is never run here. The lines Bundler's own documentation shows are
read: `gem "name", "~> 1.2", ">= 1.2.3", group: :test`, and `group :development, :test do …
end` blocks (other blocks: `platforms`, `source … do`, `if`, are followed so that their `end`
closes the right one). A gem whose name is computed (`gem name`) is not a literal and is
skipped; `gemspec` points at a .gemspec file that is not read.
"""

from __future__ import annotations

import re

from catalog.manifests.base import (
    DEV_WORDS,
    DEVELOPMENT,
    RUNTIME,
    Collector,
    ParsedManifest,
    decode,
)

ECOSYSTEM = "gem"
_GEM = re.compile(r"""^gem\s*\(?\s*(['"])([^'"]*)\1(.*)$""")
_VERSION_ARG = re.compile(r"""^\s*,\s*(['"])([^'"]*)\1""")
_GROUP_OPTION = re.compile(r"""(?:\bgroups?:|:groups?\s*=>)\s*(\[[^\]]*\]|:\w+|'\w+'|"\w+")""")
_GROUP_BLOCK = re.compile(r"^group\b\s*\(?(.*?)\)?\s*do\b")
_WORD = re.compile(r"\w+")
_OPENS_BLOCK = re.compile(r"\bdo\s*(\|[^|]*\|)?\s*$")
_OPENS_KEYWORD = re.compile(r"^(?:if|unless|case|while|until|begin|def|class|module)\b")
_END = re.compile(r"^end\b")


def parse(path: str, content: bytes) -> ParsedManifest:
    collector = Collector(ecosystem=ECOSYSTEM, manifest=path)
    text = decode(content, collector)
    # Each open block: the Bundler groups it sets (empty for other blocks).
    blocks: list[frozenset[str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        if _END.match(line):
            if blocks:
                blocks.pop()
            continue
        group_block = _GROUP_BLOCK.match(line)
        if group_block:
            blocks.append(frozenset(_WORD.findall(group_block.group(1))))
            continue
        gem = _GEM.match(line)
        if gem:
            groups = set().union(*blocks) if blocks else set()
            _add(collector, gem.group(2), gem.group(3), groups, f"line {number}")
        if _OPENS_BLOCK.search(line) or (not gem and _OPENS_KEYWORD.match(line)):
            blocks.append(frozenset())
    return collector.finish()


def _add(collector: Collector, raw_name: str, rest: str, groups: set[str], where: str) -> None:
    if collector.check_name(raw_name, where) is None:
        return
    versions = []
    while match := _VERSION_ARG.match(rest):
        versions.append(match.group(2))
        rest = rest[match.end() :]
    option = _GROUP_OPTION.search(rest)
    if option:
        groups = groups | set(_WORD.findall(option.group(1)))
    # Bundler installs a gem everywhere unless all its groups are left out; development when
    # every group it belongs to is a development one (:development, :test…).
    scope = DEVELOPMENT if groups and groups <= DEV_WORDS else RUNTIME
    collector.add(name=raw_name, requirement=", ".join(versions), scope=scope)


def _strip_comment(line: str) -> str:
    """`line` up to a `#` that is outside quotes (a "#" in a string is not a comment)."""
    quote_char = ""
    for index, char in enumerate(line):
        if quote_char:
            if char == quote_char:
                quote_char = ""
        elif char in "'\"":
            quote_char = char
        elif char == "#":
            return line[:index]
    return line
