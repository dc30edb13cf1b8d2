"""GitHub REST API v3 dialect (https://docs.github.com/rest); api_url is the server root."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import quote

from .core import (
    ApiError,
    Entry,
    FakeOwner,
    FakeRepo,
    Request,
    Response,
    git_tree_json,
    iso,
    json_response,
    license_info,
    link_header,
    paginate,
    reason,
    sha1,
    sort_repos,
)

PREFIX = ""
DEFAULT_OWNER_KIND = "organization"
NESTED_OWNERS = False
DOCS = "https://docs.github.com/rest"


def error_body(status: int, message: str | None) -> dict[str, Any]:
    return {"message": message or reason(status), "documentation_url": DOCS, "status": str(status)}


def rate_limited(reset: int, retry_after: int) -> Response:
    # X-RateLimit-* headers (Remaining: 0, Reset: epoch) are added by the server.
    message = (
        "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated "
        "requests get a higher rate limit. Check out the documentation for more details.)"
    )
    return json_response({"message": message, "documentation_url": f"{DOCS}/rate-limit"}, 403)


def secondary_limited(status: int, retry_after: int) -> Response:
    message = (
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
        "again. If you reach out to GitHub Support for help, please include the request ID."
    )
    body = {"message": message, "documentation_url": f"{DOCS}/secondary-rate-limits"}
    return json_response(body, status, {"Retry-After": str(retry_after)})


# --- serializers --------------------------------------------------------------------------


def _node_id(prefix: str, object_id: int) -> str:
    return base64.b64encode(f"{prefix}{object_id}".encode()).decode()


def _type(owner: FakeOwner) -> str:
    return "Organization" if owner.is_org else "User"


def _avatar(req: Request, owner: FakeOwner) -> str:
    return owner.avatar_url or f"{req.forge.base_url}/avatars/u/{owner.id}?v=4"


def owner_ref(req: Request, owner: FakeOwner) -> dict[str, Any]:
    return {
        "login": owner.login,
        "id": owner.id,
        "node_id": _node_id("04:User", owner.id),
        "avatar_url": _avatar(req, owner),
        "url": f"{req.forge.api_url}/users/{owner.login}",
        "html_url": f"{req.forge.base_url}/{owner.login}",
        "type": _type(owner),
        "site_admin": False,
    }


def _profile(req: Request, owner: FakeOwner) -> dict[str, Any]:
    return {
        "login": owner.login,
        "id": owner.id,
        "node_id": _node_id("04:User", owner.id),
        "avatar_url": _avatar(req, owner),
        "html_url": f"{req.forge.base_url}/{owner.login}",
        "name": owner.name or None,
        "company": None,
        "blog": owner.website,
        "location": owner.location or None,
        "email": owner.email or None,
        "public_repos": len(req.forge.repos_of(owner.path)),
        "created_at": iso(owner.created_at),
        "updated_at": iso(owner.created_at),
        "type": _type(owner),
    }


def org_json(req: Request, owner: FakeOwner) -> dict[str, Any]:
    data = _profile(req, owner)
    data["url"] = f"{req.forge.api_url}/orgs/{owner.login}"
    data["repos_url"] = f"{req.forge.api_url}/orgs/{owner.login}/repos"
    data["description"] = owner.description or None
    data["is_verified"] = False
    return data


def user_json(req: Request, owner: FakeOwner) -> dict[str, Any]:
    data = _profile(req, owner)
    data["url"] = f"{req.forge.api_url}/users/{owner.login}"
    data["repos_url"] = f"{req.forge.api_url}/users/{owner.login}/repos"
    data["bio"] = owner.description or None
    data["site_admin"] = False
    return data


def license_json(req: Request, spdx: str | None) -> dict[str, Any] | None:
    if not spdx:
        return None
    key, name, _ = license_info(spdx)
    return {
        "key": key,
        "name": name,
        "spdx_id": spdx,
        "url": f"{req.forge.api_url}/licenses/{key}",
        "node_id": _node_id("07:License", sum(map(ord, key))),
    }


def repo_json(req: Request, repo: FakeRepo) -> dict[str, Any]:
    api, web, full = req.forge.api_url, req.forge.base_url, repo.full_name
    return {
        "id": repo.id,
        "node_id": _node_id("010:Repository", repo.id),
        "name": repo.name,
        "full_name": full,
        "private": False,
        "owner": owner_ref(req, repo.owner),
        "html_url": f"{web}/{full}",
        "description": repo.description or None,
        "fork": repo.fork,
        "url": f"{api}/repos/{full}",
        "languages_url": f"{api}/repos/{full}/languages",
        "contents_url": f"{api}/repos/{full}/contents/{{+path}}",
        "created_at": iso(repo.created_at),
        "updated_at": iso(repo.updated_at),
        "pushed_at": iso(repo.pushed_at),
        "clone_url": f"{web}/{full}.git",
        "homepage": repo.homepage or None,
        "size": repo.size_kb,
        "stargazers_count": repo.stars,
        "watchers_count": repo.stars,
        "language": repo.primary_language,
        "has_issues": True,
        "forks_count": repo.forks,
        "archived": repo.archived,
        "disabled": False,
        "open_issues_count": repo.open_issues,
        "license": license_json(req, repo.license),
        "allow_forking": True,
        "is_template": repo.template,
        "topics": list(repo.topics),
        "visibility": "public",
        "forks": repo.forks,
        "open_issues": repo.open_issues,
        "watchers": repo.stars,
        "default_branch": repo.default_branch,
    }


def _entry_json(req: Request, repo: FakeRepo, entry: Entry) -> dict[str, Any]:
    full, branch = repo.full_name, repo.default_branch
    kind = "blob" if entry.type == "file" else "tree"
    return {
        "name": entry.name,
        "path": entry.path,
        "sha": entry.sha(repo.id),
        "size": entry.size,
        "url": f"{req.forge.api_url}/repos/{full}/contents/{quote(entry.path)}?ref={branch}",
        "html_url": f"{req.forge.base_url}/{full}/{kind}/{branch}/{entry.path}",
        "type": entry.type,
    }


def _base64_lines(data: bytes) -> str:
    """Like GitHub (Ruby's Base64.encode64): 60 characters per line, trailing newline."""
    text = base64.b64encode(data).decode()
    return "".join(text[i : i + 60] + "\n" for i in range(0, len(text), 60))


# --- handlers -----------------------------------------------------------------------------


def _owner(req: Request, login: str) -> FakeOwner:
    owner = req.forge.find_owner(login)
    if owner is None:
        raise ApiError(404, "Not Found")
    return owner


def _repo(req: Request, login: str, name: str) -> FakeRepo:
    repo = req.forge.find_repo(login, name)
    if repo is None:
        raise ApiError(404, "Not Found")
    return repo


def get_org(req: Request, login: str) -> Any:
    owner = _owner(req, login)
    if not owner.is_org:
        raise ApiError(404, "Not Found")
    return org_json(req, owner)


def get_user(req: Request, login: str) -> Any:
    return user_json(req, _owner(req, login))


_SORTS = {
    "full_name": lambda repo: repo.full_name.lower(),
    "created": lambda repo: repo.created_at,
    "updated": lambda repo: repo.updated_at,
    "pushed": lambda repo: repo.pushed_at,
}


def _list_repos(req: Request, owner: FakeOwner) -> Response:
    sort = req.query.get("sort", "full_name")
    sort = sort if sort in _SORTS else "full_name"
    descending = req.query.get("direction", "asc" if sort == "full_name" else "desc") == "desc"
    kind = req.query.get("type", "all")

    def build() -> list[FakeRepo]:
        repos = req.forge.repos_of(owner.path)
        if kind in ("forks", "sources"):
            repos = [repo for repo in repos if repo.fork == (kind == "forks")]
        return sort_repos(repos, _SORTS[sort], descending=descending)

    repos = req.forge.cached(("github", owner.path.lower(), sort, descending, kind), build)
    page = paginate(req, repos, default_size=30, max_size=100)
    link = link_header(req, page)
    return json_response(
        [repo_json(req, repo) for repo in page.items], headers={"Link": link} if link else None
    )


def list_org_repos(req: Request, login: str) -> Any:
    owner = _owner(req, login)
    if not owner.is_org:
        raise ApiError(404, "Not Found")
    return _list_repos(req, owner)


def list_user_repos(req: Request, login: str) -> Any:
    return _list_repos(req, _owner(req, login))


def get_repo(req: Request, login: str, name: str) -> Any:
    return repo_json(req, _repo(req, login, name))


def get_contents(req: Request, login: str, name: str, path: str = "") -> Any:
    repo = _repo(req, login, name)
    if repo.is_empty:
        raise ApiError(404, "This repository is empty.")
    ref = req.query.get("ref")
    if ref and ref != repo.default_branch:
        raise ApiError(404, f"No commit found for the ref {ref}")
    data = repo.blob(path)
    if data is not None:
        path = path.strip("/")
        result = _entry_json(req, repo, Entry(path.rpartition("/")[2], path, "file", data))
        result.update({"type": "file", "encoding": "base64", "content": _base64_lines(data)})
        return result
    entries = repo.list_dir(path)
    if entries is None:
        raise ApiError(404, "Not Found")
    return [_entry_json(req, repo, entry) for entry in entries]


def get_git_tree(req: Request, owner: str, name: str, ref: str) -> Any:
    """The tree of the head commit (or of the default branch), recursive when asked."""
    repo = _repo(req, owner, name)
    entries = repo.git_tree(ref, recursive=bool(req.arg_bool("recursive")))
    if entries is None:
        raise ApiError(404, "Not Found")
    sha = sha1(f"tree {repo.id} {repo.head_commit}".encode())
    items = git_tree_json(req.forge.api_url, repo, entries)
    return {
        "sha": sha,
        "url": f"{req.forge.api_url}/repos/{repo.full_name}/git/trees/{sha}",
        "tree": items,
        "truncated": False,
    }


def get_languages(req: Request, login: str, name: str) -> Any:
    return _repo(req, login, name).language_bytes()


def get_branch(req: Request, login: str, name: str, branch: str) -> Any:
    """The default branch (the only one there is) with its head commit."""
    repo = _repo(req, login, name)
    if repo.is_empty or branch != repo.default_branch:
        raise ApiError(404, "Branch not found")
    api, web, full, sha = req.forge.api_url, req.forge.base_url, repo.full_name, repo.head_commit
    person = {"name": repo.owner.display_name, "email": "", "date": iso(repo.pushed_at)}
    return {
        "name": branch,
        "commit": {
            "sha": sha,
            "node_id": _node_id("06:Commit", repo.id),
            "commit": {
                "author": person,
                "committer": person,
                "message": f"Push {repo.pushes}",
                "tree": {"sha": sha1(f"tree {repo.id} {sha}".encode()), "url": ""},
                "url": f"{api}/repos/{full}/git/commits/{sha}",
            },
            "url": f"{api}/repos/{full}/commits/{sha}",
            "html_url": f"{web}/{full}/commit/{sha}",
            "parents": [],
        },
        "_links": {
            "self": f"{api}/repos/{full}/branches/{quote(branch)}",
            "html": f"{web}/{full}/tree/{quote(branch)}",
        },
        "protected": False,
        "protection_url": f"{api}/repos/{full}/branches/{quote(branch)}/protection",
    }


_SEG = "([^/]+)"
ROUTES = [
    (re.compile(pattern.replace("{}", _SEG)), handler)
    for pattern, handler in [
        ("/orgs/{}", get_org),
        ("/orgs/{}/repos", list_org_repos),
        ("/users/{}", get_user),
        ("/users/{}/repos", list_user_repos),
        ("/repos/{}/{}", get_repo),
        ("/repos/{}/{}/contents", get_contents),
        ("/repos/{}/{}/contents/(.+)", get_contents),
        ("/repos/{}/{}/git/trees/(.+)", get_git_tree),
        ("/repos/{}/{}/languages", get_languages),
        ("/repos/{}/{}/branches/(.+)", get_branch),
    ]
]
