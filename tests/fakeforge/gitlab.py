"""GitLab API v4 dialect (https://docs.gitlab.com/api/); api_url ends with ``/api/v4``.

Groups may be nested (``a/b/c``); ``{id}`` in URLs is a numeric id or a URL-encoded path.
"""

from __future__ import annotations

import bisect
import re
from email.utils import formatdate
from typing import Any

from .core import (
    ApiError,
    FakeOwner,
    FakeRepo,
    Request,
    Response,
    fork_parent,
    iso,
    json_response,
    license_info,
    link_header,
    paginate,
    reason,
    sort_repos,
)

PREFIX = "/api/v4"
DEFAULT_OWNER_KIND = "group"
NESTED_OWNERS = True


def error_body(status: int, message: str | None) -> dict[str, Any]:
    return {"message": message or f"{status} {reason(status)}"}


def rate_limited(reset: int, retry_after: int) -> Response:
    headers = {
        "Content-Type": "text/plain",
        "Retry-After": str(retry_after),
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": str(reset),
        "RateLimit-ResetTime": formatdate(reset, usegmt=True),
    }
    return Response(429, b"Retry later\n", headers)


def secondary_limited(status: int, retry_after: int) -> Response:
    headers = {"Content-Type": "text/plain", "Retry-After": str(retry_after)}
    return Response(status, b"Retry later\n", headers)


# --- serializers --------------------------------------------------------------------------


def _chain(req: Request, owner: FakeOwner) -> list[FakeOwner]:
    """The owner's ancestors then the owner itself."""
    parts = owner.path.split("/")
    found = (req.forge.find_owner("/".join(parts[:i])) for i in range(1, len(parts) + 1))
    return [item for item in found if item is not None]


def _parent_id(req: Request, owner: FakeOwner) -> int | None:
    parent = req.forge.find_owner(owner.parent_path) if owner.parent_path else None
    return parent.id if parent else None


def _web_url(req: Request, owner: FakeOwner) -> str:
    base = req.forge.base_url
    return f"{base}/groups/{owner.path}" if owner.is_org else f"{base}/{owner.path}"


def group_json(req: Request, group: FakeOwner) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.display_name,
        "path": group.login,
        "full_name": " / ".join(item.display_name for item in _chain(req, group)),
        "full_path": group.path,
        "description": group.description,
        "visibility": "public",
        "avatar_url": group.avatar_url or None,
        "web_url": _web_url(req, group),
        "created_at": iso(group.created_at, millis=True),
        "parent_id": _parent_id(req, group),
    }


def user_json(req: Request, user: FakeOwner) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.login,
        "name": user.display_name,
        "state": "active",
        "locked": False,
        "avatar_url": user.avatar_url or f"{req.forge.base_url}/uploads/-/user/avatar/{user.id}",
        "web_url": _web_url(req, user),
        "created_at": iso(user.created_at, millis=True),
        "bio": user.description,
        "location": user.location,
        "public_email": user.email or None,
        "website_url": user.website,
    }


def _namespace_json(req: Request, owner: FakeOwner) -> dict[str, Any]:
    return {
        "id": owner.id,
        "name": owner.display_name,
        "path": owner.login,
        "kind": "group" if owner.is_org else "user",
        "full_path": owner.path,
        "parent_id": _parent_id(req, owner),
        "avatar_url": owner.avatar_url or None,
        "web_url": _web_url(req, owner),
    }


def project_json(req: Request, repo: FakeRepo, *, with_license: bool = False) -> dict[str, Any]:
    web = f"{req.forge.base_url}/{repo.full_name}"
    names = [item.display_name for item in _chain(req, repo.owner)]
    readme = repo.readme_path()
    data: dict[str, Any] = {
        "id": repo.id,
        "description": repo.description or None,
        "name": repo.name,
        "name_with_namespace": " / ".join([*names, repo.name]),
        "path": repo.name,
        "path_with_namespace": repo.full_name,
        "created_at": iso(repo.created_at, millis=True),
        "updated_at": iso(repo.updated_at, millis=True),
        "last_activity_at": iso(max(repo.updated_at, repo.pushed_at), millis=True),
        "default_branch": None if repo.is_empty else repo.default_branch,
        "tag_list": list(repo.topics),
        "topics": list(repo.topics),
        "ssh_url_to_repo": f"git@127.0.0.1:{repo.full_name}.git",
        "http_url_to_repo": f"{web}.git",
        "web_url": web,
        "readme_url": f"{web}/-/blob/{repo.default_branch}/{readme}" if readme else None,
        "avatar_url": None,
        "forks_count": repo.forks,
        "star_count": repo.stars,
        "open_issues_count": repo.open_issues,
        "archived": repo.archived,
        "visibility": "public",
        "empty_repo": repo.is_empty,
        "namespace": _namespace_json(req, repo.owner),
    }
    if repo.fork:
        parent_id, parent_path = fork_parent(req.forge, repo)
        data["forked_from_project"] = {
            "id": parent_id,
            "name": parent_path.rpartition("/")[2],
            "path": parent_path.rpartition("/")[2],
            "path_with_namespace": parent_path,
            "web_url": f"{req.forge.base_url}/{parent_path}",
        }
    if with_license:
        data["license"] = None
        data["license_url"] = None
        if repo.license and not repo.is_empty:
            key, name, nickname = license_info(repo.license)
            data["license_url"] = f"{web}/-/blob/{repo.default_branch}/LICENSE"
            data["license"] = {
                "key": key,
                "name": name,
                "nickname": nickname,
                "html_url": f"https://choosealicense.com/licenses/{key}/",
                "source_url": f"https://opensource.org/licenses/{repo.license}",
            }
    return data


# --- pagination ---------------------------------------------------------------------------


def _offset_response(req: Request, items: list[Any], render: Any = None) -> Response:
    page = paginate(req, items, default_size=20, max_size=100)
    headers = {
        "X-Page": str(page.number),
        "X-Per-Page": str(page.per_page),
        "X-Next-Page": str(page.number + 1) if page.has_next else "",
        "X-Prev-Page": str(page.number - 1) if page.number > 1 else "",
        "X-Total": str(page.total),
        "X-Total-Pages": str(page.last),
    }
    headers["Link"] = link_header(req, page, always_first_last=True) or ""
    body = [render(req, item) for item in page.items] if render else list(page.items)
    return json_response(body, headers=headers)


_ORDERS = {
    "id": lambda repo: repo.id,
    "name": lambda repo: repo.name.lower(),
    "path": lambda repo: repo.name.lower(),
    "created_at": lambda repo: repo.created_at,
    "updated_at": lambda repo: repo.updated_at,
    "last_activity_at": lambda repo: max(repo.updated_at, repo.pushed_at),
    "star_count": lambda repo: repo.stars,
}


def _projects(req: Request, scope: tuple[Any, ...], repos: Any, default_order: str) -> list:
    """Sorted and filtered projects of a scope (cached until the next data change)."""
    order_by = req.query.get("order_by", default_order)
    sort = req.query.get("sort", "desc")
    if order_by not in _ORDERS or sort not in ("asc", "desc"):
        raise ApiError(400, "400 Bad request - order_by, sort does not have a valid value")
    archived = req.arg_bool("archived")

    def build() -> list[FakeRepo]:
        items = repos()
        if archived is not None:
            items = [repo for repo in items if repo.archived == archived]
        return sort_repos(items, _ORDERS[order_by], descending=sort == "desc")

    return req.forge.cached(("gitlab", *scope, order_by, sort, archived), build)


# --- handlers -----------------------------------------------------------------------------


def _group(req: Request, ref: str) -> FakeOwner:
    owner = req.forge.owner_by_id(int(ref)) if ref.isdigit() else req.forge.find_owner(ref)
    if owner is None or not owner.is_org:
        raise ApiError(404, "404 Group Not Found")
    return owner


def _user(req: Request, ref: str) -> FakeOwner:
    owner = req.forge.owner_by_id(int(ref)) if ref.isdigit() else req.forge.find_owner(ref)
    if owner is None or owner.is_org:
        raise ApiError(404, "404 User Not Found")
    return owner


def _project(req: Request, ref: str) -> FakeRepo:
    if ref.isdigit():
        repo = req.forge.repo_by_id(int(ref))
    else:
        namespace, _, name = ref.rpartition("/")
        repo = req.forge.find_repo(namespace, name) if namespace else None
    if repo is None:
        raise ApiError(404, "404 Project Not Found")
    return repo


def get_group(req: Request, ref: str) -> Any:
    return group_json(req, _group(req, ref))


def group_projects(req: Request, ref: str) -> Any:
    group = _group(req, ref)
    subgroups = bool(req.arg_bool("include_subgroups"))
    scope = ("group", group.path.lower(), subgroups)
    projects = _projects(
        req, scope, lambda: req.forge.repos_of(group.path, subgroups=subgroups), "created_at"
    )
    return _offset_response(req, projects, project_json)


def list_users(req: Request) -> Any:
    username = req.query.get("username")
    if username is not None:
        owner = req.forge.find_owner(username)
        return [user_json(req, owner)] if owner and not owner.is_org else []
    users = sorted((o for o in req.forge.owners if not o.is_org), key=lambda o: o.id)
    return _offset_response(req, users, user_json)


def user_projects(req: Request, ref: str) -> Any:
    user = _user(req, ref)
    scope = ("user", user.path.lower())
    projects = _projects(req, scope, lambda: req.forge.repos_of(user.path), "created_at")
    return _offset_response(req, projects, project_json)


def list_projects(req: Request) -> Any:
    if req.query.get("pagination") != "keyset":
        projects = _projects(req, ("all",), lambda: req.forge.repos, "created_at")
        return _offset_response(req, projects, project_json)
    if req.query.get("order_by", "id") != "id":
        raise ApiError(405, "405 Method Not Allowed - keyset pagination supports order_by=id only")
    projects = _projects(req, ("all",), lambda: req.forge.repos, "id")
    ascending = req.query.get("sort", "desc") == "asc"
    param = "id_after" if ascending else "id_before"
    keys = req.forge.cached(
        ("gitlab-keys", ascending, req.arg_bool("archived")),
        lambda: [p.id if ascending else -p.id for p in projects],
    )
    try:
        cursor = int(req.query.get(param, ""))
        start = bisect.bisect_right(keys, cursor if ascending else -cursor)
    except ValueError:
        start = 0
    per_page = min(req.arg_int("per_page", 20), 100)
    req.forge.check_interrupt(req, start // per_page + 1)
    items = projects[start : start + per_page]
    headers = {"X-Per-Page": str(per_page)}
    if items and start + per_page < len(projects):
        headers["Link"] = f'<{req.url(**{param: items[-1].id})}>; rel="next"'
    return json_response([project_json(req, repo) for repo in items], headers=headers)


def get_project(req: Request, ref: str) -> Any:
    return project_json(req, _project(req, ref), with_license=bool(req.arg_bool("license")))


def _check_ref(req: Request, repo: FakeRepo, message: str) -> None:
    ref = req.query.get("ref")
    if repo.is_empty or (ref and ref not in (repo.default_branch, "HEAD")):
        raise ApiError(404, message)


def get_tree(req: Request, ref: str) -> Any:
    repo = _project(req, ref)
    _check_ref(req, repo, "404 Tree Not Found")
    entries = repo.list_dir(req.query.get("path", ""), recursive=bool(req.arg_bool("recursive")))
    if entries is None:
        raise ApiError(404, "404 Tree Not Found")
    entries.sort(key=lambda entry: (entry.type != "dir", entry.path))
    items = [
        {
            "id": entry.sha(repo.id),
            "name": entry.name,
            "type": "tree" if entry.type == "dir" else "blob",
            "path": entry.path,
            "mode": "040000" if entry.type == "dir" else "100644",
        }
        for entry in entries
    ]
    return _offset_response(req, items)


def get_raw_file(req: Request, ref: str, path: str) -> Any:
    repo = _project(req, ref)
    _check_ref(req, repo, "404 File Not Found")
    data = repo.blob(path)
    if data is None:
        raise ApiError(404, "404 File Not Found")
    return Response(200, data, {"Content-Type": "text/plain; charset=utf-8"})


def get_languages(req: Request, ref: str) -> Any:
    return language_shares(_project(req, ref))


def language_shares(repo: FakeRepo) -> dict[str, float]:
    """{language: percentage of the bytes}, largest first, as GitLab stores them (REST's
    ``/languages`` and GraphQL's ``languages { name share }`` alike)."""
    stats = repo.language_bytes()
    total = sum(stats.values())
    if not total:
        return {}
    shares = {lang: round(size * 100 / total, 2) for lang, size in stats.items()}
    first = next(iter(shares))  # the largest absorbs rounding so that the sum is 100
    shares[first] = round(100 - sum(v for k, v in shares.items() if k != first), 2)
    return shares


def get_branch(req: Request, ref: str, branch: str) -> Any:
    """The default branch (the only one there is) with its head commit."""
    repo = _project(req, ref)
    if repo.is_empty or branch != repo.default_branch:
        raise ApiError(404, "404 Branch Not Found")
    web, sha, date = f"{req.forge.base_url}/{repo.full_name}", repo.head_commit, repo.pushed_at
    author = repo.owner.display_name
    return {
        "name": branch,
        "merged": False,
        "protected": True,
        "default": True,
        "developers_can_push": False,
        "developers_can_merge": False,
        "can_push": False,
        "web_url": f"{web}/-/tree/{branch}",
        "commit": {
            "id": sha,
            "short_id": sha[:8],
            "created_at": iso(date, millis=True),
            "parent_ids": [],
            "title": f"Push {repo.pushes}",
            "message": f"Push {repo.pushes}",
            "author_name": author,
            "author_email": "",
            "authored_date": iso(date, millis=True),
            "committer_name": author,
            "committer_email": "",
            "committed_date": iso(date, millis=True),
            "trailers": {},
            "web_url": f"{web}/-/commit/{sha}",
        },
    }


_SEG = "([^/]+)"
ROUTES = [
    (re.compile(pattern.replace("{}", _SEG)), handler)
    for pattern, handler in [
        ("/groups/{}", get_group),
        ("/groups/{}/projects", group_projects),
        ("/users", list_users),
        ("/users/{}/projects", user_projects),
        ("/projects", list_projects),
        ("/projects/{}", get_project),
        ("/projects/{}/repository/tree", get_tree),
        ("/projects/{}/repository/files/(.+)/raw", get_raw_file),
        ("/projects/{}/languages", get_languages),
        ("/projects/{}/repository/branches/{}", get_branch),
    ]
]
