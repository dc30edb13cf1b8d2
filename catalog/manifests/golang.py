"""go.mod (Go modules): the `require` directives, single or in blocks.

`replace`, `exclude`, `retract`, `tool` and `godebug` change how requirements resolve or add
none: they are skipped. A requirement marked `// indirect` (a dependency of a dependency,
written down for reproducible builds) is kept with scope runtime, and the mark stays in its
requirement text ("v1.2.3 // indirect") so that a page can tell it from a direct one.
"""

from __future__ import annotations

from catalog.manifests.base import RUNTIME, Collector, ParsedManifest, decode
from core.text import clean_line

ECOSYSTEM = "golang"


def parse(path: str, content: bytes) -> ParsedManifest:
    collector = Collector(ecosystem=ECOSYSTEM, manifest=path)
    text = decode(content, collector)
    block = None  # the verb of the open "verb (" block, if any
    for number, raw in enumerate(text.splitlines(), start=1):
        code, _, comment = raw.partition("//")
        words = [_unquote(word) for word in code.split()]
        if not words:
            continue
        indirect = comment.strip().startswith("indirect")
        if block is not None:
            if words == [")"]:
                block = None
            elif block == "require":
                _require(collector, words, indirect, f"line {number}")
            continue
        verb, arguments = words[0], words[1:]
        if arguments == ["("]:
            block = verb
        elif verb == "module" and arguments:
            collector.result.package_name = clean_line(arguments[0], max_length=255)
        elif verb == "require":
            _require(collector, arguments, indirect, f"line {number}")
    return collector.finish()


def _require(collector: Collector, words: list[str], indirect: bool, where: str) -> None:
    if len(words) != 2:
        collector.note(f"{where}: a require that is not “module version”; skipped")
        return
    module, version = words
    if collector.check_name(module, where) is None:
        return
    namespace, _, name = module.rpartition("/")
    collector.add(
        name=module,
        requirement=f"{version} // indirect" if indirect else version,
        scope=RUNTIME,
        namespace=namespace or None,
        purl_name=name,
    )


def _unquote(word: str) -> str:
    """go.mod allows "quoted" and `raw` strings for paths and versions."""
    if len(word) >= 2 and word[0] == word[-1] and word[0] in '"`':
        return word[1:-1]
    return word
