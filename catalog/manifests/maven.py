"""pom.xml (Maven): the project's own `<dependencies>`, read without resolving anything.

The XML is read by defusedxml with DTDs forbidden: a POM never needs one, and refusing it
closes entity expansion (the "billion laughs" bomb) and external entities (file or network
reads) at once. Properties are not resolved: a parent POM or a BOM would have to be fetched,
so `${…}` stays as written in the requirement. Only the coordinates the file itself gives
(`${project.groupId}`, `${project.parent.groupId}` and their old spellings) are filled in,
because a multi-module build writes its sibling modules that way.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from catalog.manifests.base import (
    DEVELOPMENT,
    OPTIONAL,
    RUNTIME,
    Collector,
    ParsedManifest,
    quote,
)
from core.text import clean_line

ECOSYSTEM = "maven"
# Maven scope → ours. "provided" (the container supplies it) and "system" (a local jar) are
# still needed to run; "import" only means something in dependencyManagement, which is not
# read, and brings no dependency itself.
SCOPES = {
    "": RUNTIME,
    "compile": RUNTIME,
    "runtime": RUNTIME,
    "provided": RUNTIME,
    "system": RUNTIME,
    "test": DEVELOPMENT,
}
SKIPPED_SCOPES = {"import"}


def parse(path: str, content: bytes) -> ParsedManifest:
    collector = Collector(ecosystem=ECOSYSTEM, manifest=path)
    # Bytes go to the parser as they are: the XML declaration names the encoding (a POM in
    # ISO-8859-1 is valid XML) and expat reads a BOM itself.
    try:
        root = read_pom(content)
    except UnreadablePom as exc:
        return collector.fail(str(exc))

    parent = child(root, "parent")
    parent_group = text(child(parent, "groupId"))
    group = text(child(root, "groupId")) or parent_group
    artifact = text(child(root, "artifactId"))
    if group and artifact:
        collector.result.package_name = clean_line(f"{group}:{artifact}", max_length=255)
    known = {
        "${project.groupId}": group,
        "${pom.groupId}": group,
        "${groupId}": group,
        "${project.parent.groupId}": parent_group,
        "${parent.groupId}": parent_group,
        "${project.artifactId}": artifact,
        "${pom.artifactId}": artifact,
    }

    # Direct children only: <dependencyManagement>, <profiles> and plugins' dependencies
    # hold declarations that are not the project's dependencies.
    for dependency in children(child(root, "dependencies"), "dependency"):
        _add(collector, dependency, known)
    return collector.finish()


def _add(collector: Collector, dependency: Element, known: dict) -> None:
    group = _coordinate(text(child(dependency, "groupId")), known)
    artifact = _coordinate(text(child(dependency, "artifactId")), known)
    if not group or not artifact:
        collector.note("a dependency without groupId or artifactId; skipped")
        return
    if "${" in group or "${" in artifact:
        collector.note(
            f"{quote(group + ':' + artifact)}: a property in the coordinates is not resolved; "
            "skipped"
        )
        return
    name = f"{group}:{artifact}"
    if collector.check_name(name, "dependencies") is None:
        return
    maven_scope = text(child(dependency, "scope")).lower()
    if maven_scope in SKIPPED_SCOPES:
        return
    scope = SCOPES.get(maven_scope)
    if scope is None:
        collector.note(f"{quote(name)}: unknown scope {quote(maven_scope)}, read as compile")
        scope = RUNTIME
    if scope == RUNTIME and text(child(dependency, "optional")).lower() == "true":
        scope = OPTIONAL
    collector.add(
        name=name,
        requirement=text(child(dependency, "version")),
        scope=scope,
        namespace=group,
        purl_name=artifact,
    )


def _coordinate(value: str, known: dict) -> str:
    """`value` with the coordinates this POM defines put in for their placeholders."""
    return known.get(value) or value


class UnreadablePom(ValueError):
    """Why a POM cannot be read."""


def read_pom(content: bytes) -> Element:
    """The <project> element of a POM read safely (no DTD, entity or external reference,
    nothing fetched), else UnreadablePom: what the manifest parser and the Maven registry's
    answers (catalog.registries) both read."""
    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UnreadablePom("XML with a DTD or entities is refused") from None
    except (ParseError, ValueError, RecursionError):
        raise UnreadablePom("malformed XML") from None
    if local_name(root.tag) != "project":
        raise UnreadablePom("pom.xml has no <project> root")
    return root


def local_name(tag) -> str:
    """The tag without its namespace ("{http://maven.apache.org/POM/4.0.0}project")."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if local_name(child.tag) == name]


def child(element: Element | None, name: str) -> Element | None:
    found = children(element, name)
    return found[0] if found else None


def text(element: Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return element.text.strip()
