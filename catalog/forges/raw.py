"""The address of a file's raw content on a repository's default branch, per forge kind.

What the forges serve without an API token, for a reader who only has a URL (a crawler
reading publiccode.yml): one function per kind, all taking the same keyword arguments.
`web_url` is the repository's page as the forge gave it (the harvest keeps it), so a forge
served under a path prefix works too; the branch and the file name are percent-encoded,
the branch's slashes kept (the forges resolve them).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from catalog.enums import ForgeKind


def _ref(branch: str) -> str:
    return quote(branch, safe="/")


def _base(web_url: str) -> str:
    return web_url.rstrip("/").removesuffix(".git")


def github_raw_url(*, host: str, web_url: str, full_path: str, branch: str, name: str) -> str:
    """github.com: raw.githubusercontent.com/<owner>/<repo>/<branch>/<name>; GitHub
    Enterprise serves the same under the repository: <web_url>/raw/<branch>/<name>."""
    if host == "github.com":
        path = quote(full_path.strip("/"), safe="/")
        return f"https://raw.githubusercontent.com/{path}/{_ref(branch)}/{quote(name)}"
    return f"{_base(web_url)}/raw/{_ref(branch)}/{quote(name)}"


def gitlab_raw_url(*, host: str, web_url: str, full_path: str, branch: str, name: str) -> str:
    """GitLab: <web_url>/-/raw/<branch>/<name> (subgroups are in web_url)."""
    return f"{_base(web_url)}/-/raw/{_ref(branch)}/{quote(name)}"


def gitea_raw_url(*, host: str, web_url: str, full_path: str, branch: str, name: str) -> str:
    """Gitea and Forgejo: <web_url>/raw/branch/<branch>/<name>."""
    return f"{_base(web_url)}/raw/branch/{_ref(branch)}/{quote(name)}"


def gogs_raw_url(*, host: str, web_url: str, full_path: str, branch: str, name: str) -> str:
    """Gogs: <web_url>/raw/<branch>/<name>."""
    return f"{_base(web_url)}/raw/{_ref(branch)}/{quote(name)}"


RAW_URLS: dict[str, Callable[..., str]] = {
    ForgeKind.GITHUB: github_raw_url,
    ForgeKind.GITLAB: gitlab_raw_url,
    ForgeKind.GITEA: gitea_raw_url,
    ForgeKind.FORGEJO: gitea_raw_url,
    ForgeKind.GOGS: gogs_raw_url,
}


def raw_file_url(
    kind: str, *, host: str, web_url: str, full_path: str, branch: str, name: str
) -> str | None:
    """The raw address of `name` on `branch`, or None when it cannot be told: a forge kind
    we do not know the rule of, no branch, or no web address."""
    build = RAW_URLS.get(kind)
    if build is None or not branch or not web_url:
        return None
    return build(host=host, web_url=web_url, full_path=full_path, branch=branch, name=name)
