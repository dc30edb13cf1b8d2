"""Gitea / Forgejo / Gogs API v1 dialect (https://gitea.com/api/swagger); api_url ends with
``/api/v1``. Pagination uses ``page`` and ``limit`` (default 30, at most 50)."""

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
    fork_parent,
    git_tree_json,
    iso,
    json_response,
    link_header,
    paginate,
    reason,
    sha1,
    sort_repos,
)

PREFIX = "/api/v1"
DEFAULT_OWNER_KIND = "organization"
NESTED_OWNERS = False
NOT_FOUND = "The target couldn't be found."


def error_body(status: int, message: str | None) -> dict[str, Any]:
    if message is None:
        message = NOT_FOUND if status == 404 else f"{status} {reason(status)}"
    return {"errors": None, "message": message, "url": "/api/swagger"}


def rate_limited(reset: int, retry_after: int) -> Response:
    body = {"message": "rate limit exceeded", "url": "/api/swagger"}
    return json_response(body, 429, {"Retry-After": str(retry_after)})


def secondary_limited(status: int, retry_after: int) -> Response:
    body = {"message": "too many requests", "url": "/api/swagger"}
    return json_response(body, status, {"Retry-After": str(retry_after)})


# --- serializers --------------------------------------------------------------------------


def _avatar(req: Request, owner: FakeOwner) -> str:
    return owner.avatar_url or f"{req.forge.base_url}/avatars/{owner.id}"


def user_json(req: Request, owner: FakeOwner) -> dict[str, Any]:
    return {
        "id": owner.id,
        "login": owner.login,
        "login_name": "",
        "username": owner.login,
        "full_name": owner.name,
        "email": owner.email,
        "avatar_url": _avatar(req, owner),
        "html_url": f"{req.forge.base_url}/{owner.login}",
        "location": owner.location,
        "website": owner.website,
        "description": owner.description,
        "created": iso(owner.created_at),
        "visibility": "public",
    }


def org_json(req: Request, owner: FakeOwner) -> dict[str, Any]:
    return {
        "id": owner.id,
        "name": owner.login,
        "username": owner.login,
        "full_name": owner.name,
        "email": owner.email,
        "avatar_url": _avatar(req, owner),
        "description": owner.description,
        "website": owner.website,
        "location": owner.location,
        "visibility": "public",
    }


def repo_json(req: Request, repo: FakeRepo) -> dict[str, Any]:
    web, full = req.forge.base_url, repo.full_name
    owner = repo.owner
    parent = None
    if repo.fork:
        parent_id, parent_path = fork_parent(req.forge, repo)
        parent = {"id": parent_id, "full_name": parent_path, "html_url": f"{web}/{parent_path}"}
    return {
        "id": repo.id,
        "owner": {
            "id": owner.id,
            "login": owner.login,
            "username": owner.login,
            "full_name": owner.name,
            "avatar_url": _avatar(req, owner),
        },
        "name": repo.name,
        "full_name": full,
        "description": repo.description,
        "empty": repo.is_empty,
        "private": False,
        "fork": repo.fork,
        "template": repo.template,
        "parent": parent,
        "mirror": False,
        "size": repo.size_kb,
        "language": repo.primary_language or "",
        "languages_url": f"{req.forge.api_url}/repos/{full}/languages",
        "html_url": f"{web}/{full}",
        "url": f"{req.forge.api_url}/repos/{full}",
        "clone_url": f"{web}/{full}.git",
        "website": repo.homepage,
        "stars_count": repo.stars,
        "forks_count": repo.forks,
        "watchers_count": repo.stars,
        "open_issues_count": repo.open_issues,
        "default_branch": repo.default_branch,
        "archived": repo.archived,
        "created_at": iso(repo.created_at),
        "updated_at": iso(repo.updated_at),
        "topics": list(repo.topics),
        "licenses": [repo.license] if repo.license else [],
    }


def _entry_json(req: Request, repo: FakeRepo, entry: Entry) -> dict[str, Any]:
    full, branch = repo.full_name, repo.default_branch
    return {
        "name": entry.name,
        "path": entry.path,
        "sha": entry.sha(repo.id),
        "type": entry.type,
        "size": entry.size,
        "encoding": None,
        "content": None,
        "url": f"{req.forge.api_url}/repos/{full}/contents/{quote(entry.path)}?ref={branch}",
        "html_url": f"{req.forge.base_url}/{full}/src/branch/{branch}/{entry.path}",
    }


# --- handlers -----------------------------------------------------------------------------


def _owner(req: Request, name: str, *, org: bool = False) -> FakeOwner:
    owner = req.forge.find_owner(name)
    if owner is None or (org and not owner.is_org):
        raise ApiError(404)
    return owner


def _repo(req: Request, owner: str, name: str) -> FakeRepo:
    repo = req.forge.find_repo(owner, name)
    if repo is None:
        raise ApiError(404)
    return repo


_SORTS = {
    "alpha": lambda repo: repo.name.lower(),
    "id": lambda repo: repo.id,
    "created": lambda repo: repo.created_at,
    "updated": lambda repo: repo.updated_at,
    "stars": lambda repo: repo.stars,
    "forks": lambda repo: repo.forks,
}


def _listing(req: Request, repos: list[FakeRepo], wrap: bool = False) -> Response:
    page = paginate(req, repos, default_size=30, max_size=50, size_param="limit")
    headers = {"X-Total-Count": str(page.total)}
    if link := link_header(req, page):
        headers["Link"] = link
    data = [repo_json(req, repo) for repo in page.items]
    return json_response({"ok": True, "data": data} if wrap else data, headers=headers)


def _owner_repos(req: Request, owner: FakeOwner) -> Response:
    repos = req.forge.cached(
        ("gitea", owner.path.lower()),
        lambda: sort_repos(req.forge.repos_of(owner.path), _SORTS["alpha"]),
    )
    return _listing(req, repos)


def get_org(req: Request, name: str) -> Any:
    return org_json(req, _owner(req, name, org=True))


def get_user(req: Request, name: str) -> Any:
    return user_json(req, _owner(req, name))


def list_org_repos(req: Request, name: str) -> Any:
    return _owner_repos(req, _owner(req, name, org=True))


def list_user_repos(req: Request, name: str) -> Any:
    return _owner_repos(req, _owner(req, name))


def search_repos(req: Request) -> Any:
    sort = req.query.get("sort", "alpha")
    sort = sort if sort in _SORTS else "alpha"
    descending = req.query.get("order", "asc") == "desc"
    query = req.query.get("q", "").lower()
    archived = req.arg_bool("archived")

    def build() -> list[FakeRepo]:
        repos = [
            repo
            for repo in req.forge.repos
            if query in repo.name.lower() and archived in (None, repo.archived)
        ]
        return sort_repos(repos, _SORTS[sort], descending=descending)

    repos = req.forge.cached(("gitea-search", sort, descending, query, archived), build)
    return _listing(req, repos, wrap=True)


def get_repo(req: Request, owner: str, name: str) -> Any:
    return repo_json(req, _repo(req, owner, name))


def get_contents(req: Request, owner: str, name: str, path: str = "") -> Any:
    repo = _repo(req, owner, name)
    ref = req.query.get("ref")
    if repo.is_empty or (ref and ref != repo.default_branch):
        raise ApiError(404)
    path = path.strip("/")
    data = repo.blob(path)
    if data is not None:
        result = _entry_json(req, repo, Entry(path.rpartition("/")[2], path, "file", data))
        result.update({"encoding": "base64", "content": base64.b64encode(data).decode()})
        return result
    entries = repo.list_dir(path)
    if entries is None:
        raise ApiError(404)
    return [_entry_json(req, repo, entry) for entry in entries]


def get_git_tree(req: Request, owner: str, name: str, ref: str) -> Any:
    """The tree of the head commit (or of the default branch), recursive when asked."""
    repo = _repo(req, owner, name)
    entries = repo.git_tree(ref, recursive=bool(req.arg_bool("recursive")))
    if entries is None:
        raise ApiError(404)
    sha = sha1(f"tree {repo.id} {repo.head_commit}".encode())
    items = git_tree_json(req.forge.api_url, repo, entries)

    # Gitea pages its trees (per_page, default 1000): a repository that does not fit says so.
    per_page = req.arg_int("per_page", 1000)
    page = req.arg_int("page", 1)
    total = len(items)
    items = items[(page - 1) * per_page : page * per_page]
    return {
        "sha": sha,
        "url": f"{req.forge.api_url}/repos/{repo.full_name}/git/trees/{sha}",
        "tree": items,
        "truncated": page * per_page < total,
        "page": page,
        "total_count": total,
    }


def get_languages(req: Request, owner: str, name: str) -> Any:
    return _repo(req, owner, name).language_bytes()


def get_branch(req: Request, owner: str, name: str, branch: str) -> Any:
    """The default branch (the only one there is) with its head commit."""
    repo = _repo(req, owner, name)
    if repo.is_empty or branch != repo.default_branch:
        raise ApiError(404)
    web, full, sha = req.forge.base_url, repo.full_name, repo.head_commit
    person = {"name": repo.owner.display_name, "email": "", "username": repo.owner.login}
    return {
        "name": branch,
        "commit": {
            "id": sha,
            "message": f"Push {repo.pushes}\n",
            "url": f"{web}/{full}/commit/{sha}",
            "author": person,
            "committer": person,
            "verification": None,
            "timestamp": iso(repo.pushed_at),
            "added": None,
            "removed": None,
            "modified": None,
        },
        "protected": False,
        "required_approvals": 0,
        "enable_status_check": False,
        "user_can_push": False,
        "user_can_merge": False,
    }


_SEG = "([^/]+)"
ROUTES = [
    (re.compile(pattern.replace("{}", _SEG)), handler)
    for pattern, handler in [
        ("/orgs/{}", get_org),
        ("/orgs/{}/repos", list_org_repos),
        ("/users/{}", get_user),
        ("/users/{}/repos", list_user_repos),
        ("/repos/search", search_repos),
        ("/repos/{}/{}", get_repo),
        ("/repos/{}/{}/contents", get_contents),
        ("/repos/{}/{}/contents/(.+)", get_contents),
        ("/repos/{}/{}/git/trees/(.+)", get_git_tree),
        ("/repos/{}/{}/languages", get_languages),
        ("/repos/{}/{}/branches/(.+)", get_branch),
    ]
]
