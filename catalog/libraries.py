"""Libraries published by administrations: pure functions (no database, no network) that
say which package a manifest publishes and whether the source repository a registry gives
is a catalogued repository (ADR 0021).

A package is published by a repository when the registry says so: the source URL it gives
(npm `repository`, PyPI `project_urls`, a POM's `scm/url`…) is that repository's web
address once both are written the same way by `repository_key`. A name alone proves
nothing: anyone may publish a package under any name.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from packageurl import PackageURL
from packaging.utils import canonicalize_name

from catalog.enums import Ecosystem
from core.text import clean_line, has_control_characters

# Path segments that open a forge's pages inside a repository (a branch, a file, the
# issues…): the repository is what comes before. Only looked for past owner/name, since a
# repository may itself be called `src` or `issues`.
_INNER_PAGES = frozenset(
    {"-", "tree", "blob", "src", "commit", "commits", "issues", "merge_requests", "wiki", "wikis"}
)
# Hosts whose repositories are exactly two path segments deep (owner/name).
_TWO_SEGMENT_HOSTS = frozenset({"github.com", "bitbucket.org", "codeberg.org"})
# npm's shorthands for a repository ("github:owner/name"…), as its documentation lists them.
_SHORTHANDS = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org"}
_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+\.[a-z]{2,}):(?!//)(?P<path>[^\s]+)$", re.I)
_GO_MAJOR = re.compile(r"/v[0-9]+$")
MAX_URL_LENGTH = 1000


def repository_key(url) -> str:
    """`host/path` of a repository URL, lower-cased, without scheme, credentials, port,
    `git+`, `.git`, a trailing slash nor a page inside the repository ("" when `url` is
    not a repository address).

    `git+https://github.com/Org/Repo.git`, `git://github.com/org/repo`,
    `ssh://git@github.com/org/repo.git`, `git@github.com:org/repo.git`,
    `scm:git:https://github.com/org/repo` and `https://github.com/org/repo/tree/main/lib`
    all give `github.com/org/repo`.
    """
    if not isinstance(url, str) or has_control_characters(url):
        return ""
    text = url.strip()
    if not text or len(text) > MAX_URL_LENGTH:
        return ""
    text = re.sub(r"^scm:(?:git:)?", "", text, flags=re.I)
    text = re.sub(r"^git\+", "", text, flags=re.I)
    shorthand = re.match(r"^(github|gitlab|bitbucket):([^/:\s]+/[^\s]+)$", text, re.I)
    if shorthand:
        text = f"https://{_SHORTHANDS[shorthand.group(1).lower()]}/{shorthand.group(2)}"
    scp = _SCP_LIKE.match(text)
    if scp and "://" not in text:
        host, path = scp.group("host"), scp.group("path")
    else:
        try:
            parts = urlsplit(text)
            host = parts.hostname or ""
        except ValueError:
            return ""
        if parts.scheme.lower() not in ("http", "https", "git", "ssh", "git+ssh"):
            return ""
        path = parts.path
    host = host.lower().removeprefix("www.")
    if not host or "." not in host:
        return ""
    path = path.split("?")[0].split("#")[0]
    segments = [segment for segment in path.split("/") if segment]
    if any(segment in (".", "..") for segment in segments):
        return ""
    if host in _TWO_SEGMENT_HOSTS:
        segments = segments[:2]
    inner = [i for i, segment in enumerate(segments[2:], 2) if segment.lower() in _INNER_PAGES]
    if inner:
        segments = segments[: inner[0]]
    if segments and segments[-1].lower().endswith(".git"):
        segments[-1] = segments[-1][:-4]
    if not all(segments):  # ".git" alone names no repository
        return ""
    if len(segments) < 2:
        return ""
    return f"{host}/{'/'.join(segments)}".lower()


def npm_repository_urls(value) -> list[str]:
    """The URLs of an npm `repository` field: a string (a URL, `github:owner/name`, or
    the bare `owner/name` shorthand for GitHub) or an object with `url`."""
    if isinstance(value, dict):
        value = value.get("url")
    if not isinstance(value, str):
        return []
    value = value.strip()
    if re.fullmatch(r"[\w.-]+/[\w.-]+", value):
        value = f"github:{value}"
    return [value]


def package_identity(ecosystem: str, package_name: str) -> tuple[str, str] | None:
    """(name, purl) of the package a manifest publishes, the name normalised as its
    registry compares names (as the parsers write dependency names, ADR 0020), or None
    when the name cannot be a package of that ecosystem."""
    if not isinstance(package_name, str):
        return None
    name = package_name.strip()
    if not name or len(name) > 255 or has_control_characters(name) or " " in name:
        return None
    namespace, bare = None, name
    if ecosystem == Ecosystem.NPM:
        name = bare = name.lower()
        if name.startswith("@"):
            namespace, _, bare = name.partition("/")
            if not bare or "/" in bare:
                return None
        elif "/" in name:
            return None
    elif ecosystem == Ecosystem.PYPI:
        name = bare = canonicalize_name(name)
    elif ecosystem == Ecosystem.COMPOSER:
        name = name.lower()
        namespace, _, bare = name.partition("/")
        if not bare or "/" in bare:
            return None
    elif ecosystem == Ecosystem.MAVEN:
        namespace, _, bare = name.partition(":")
        if not namespace or not bare or ":" in bare:
            return None
    elif ecosystem == Ecosystem.GOLANG:
        namespace, _, bare = name.rpartition("/")
        namespace = namespace or None
    elif ecosystem not in (Ecosystem.CARGO, Ecosystem.GEM):
        return None
    try:
        purl = PackageURL(type=ecosystem, namespace=namespace, name=bare).to_string()
    except ValueError:
        return None
    return name, purl


def go_module_source(module: str) -> str:
    """The repository address a Go module path names (`github.com/org/repo/v2` →
    `https://github.com/org/repo/v2`: compared by `go_module_matches`)."""
    return "https://" + module.strip().strip("/")


def go_module_matches(module: str, repository_url: str) -> bool:
    """Whether the Go module path is in the repository at `repository_url`: the path is
    the repository's (a major version suffix `/vN` dropped) or a directory inside it."""
    wanted = repository_key(repository_url)
    if not wanted or not isinstance(module, str) or "://" in module:
        return False
    path = _GO_MAJOR.sub("", module.strip().strip("/").lower())
    return path == wanted or path.startswith(wanted + "/")


def first_match(source_urls, repositories: dict[str, int]) -> tuple[str, int | None]:
    """(source URL, repository id) of the first URL of `source_urls` that names one of
    `repositories` ({repository_key: id}); else (the first URL that names a repository
    anywhere, or the first URL, None)."""
    urls = [clean_line(url, max_length=MAX_URL_LENGTH) for url in source_urls if url]
    for url in urls:
        key = repository_key(url)
        if key and key in repositories:
            return url, repositories[key]
    named = [url for url in urls if repository_key(url)]
    return (named or urls or [""])[0], None
