"""GitLab API v4: groups with all their subgroups, user namespaces and whole instances; with a
token, the inspection's reads come in batches through the GraphQL API (see gitlab_graphql)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from catalog.enums import OwnerKind
from catalog.forges.base import (
    MAX_TREE_DIRECTORIES,
    ForgeClient,
    OwnerInfo,
    RepoInfo,
    parse_date,
    shallow_blobs,
    text,
    with_page,
)
from catalog.forges.gitlab_graphql import GitLabGraphQLPrefetch
from catalog.manifests import directory_may_hold_manifests
from core.http import ForgeHTTP, MalformedResponse, NotFound


class GitLabClient(ForgeClient):
    license_needs_request = True
    item_names = ("project", "projects")

    def __init__(self, *, api_url: str, http: ForgeHTTP):
        super().__init__(api_url=api_url, http=http)
        # Anonymous GraphQL sees only public projects under a lower complexity limit:
        # without a token, everything goes through REST.
        self.graphql = GitLabGraphQLPrefetch(http, self.api_url) if http.authenticated else None

    def fetch_owner(self, path: str) -> OwnerInfo:
        try:
            data = self.http.get(self.url(f"groups/{quote(path, safe='')}")).json()
            if not isinstance(data, dict):
                raise MalformedResponse(f"{path}: the group is not a JSON object")
            return OwnerInfo(
                path=text(data.get("full_path")) or path,
                kind=OwnerKind.GROUP,
                remote_id=text(data.get("id")),
                name=text(data.get("name")),
                description=text(data.get("description")),
                avatar_url=text(data.get("avatar_url")),
                website=text(data.get("web_url")),
                created_at=parse_date(data.get("created_at")),
                raw=data,
            )
        except NotFound:
            users = self.http.get(self.url("users", username=path)).json()
        if not isinstance(users, list):
            raise MalformedResponse(f"{path}: the user search did not answer a list")
        if not users:
            raise NotFound(f"{path}: no such group or user")
        data = users[0]
        return OwnerInfo(
            path=text(data.get("username")) or path,
            kind=OwnerKind.USER,
            remote_id=text(data.get("id")),
            name=text(data.get("name")),
            description=text(data.get("bio")),
            avatar_url=text(data.get("avatar_url")),
            website=text(data.get("website_url")),
            email=text(data.get("public_email")),
            location=text(data.get("location")),
            created_at=parse_date(data.get("created_at")),
            raw=data,
        )

    def parse_repo(self, data: dict) -> RepoInfo:
        namespace = data.get("namespace") or {}
        full_path = text(data["path_with_namespace"])
        activity = parse_date(data.get("last_activity_at"))
        return RepoInfo(
            remote_id=text(data["id"]),
            full_path=full_path,
            name=text(data.get("name")) or full_path.rsplit("/", 1)[-1],
            owner_path=text(namespace.get("full_path")) or full_path.rsplit("/", 1)[0],
            web_url=text(data.get("web_url")),
            description=text(data.get("description")),
            default_branch=text(data.get("default_branch")),
            created_at=parse_date(data.get("created_at")),
            updated_at=activity,
            stars=int(data.get("star_count") or 0),
            forks=int(data.get("forks_count") or 0),
            open_issues=int(data.get("open_issues_count") or 0),
            is_fork=bool(data.get("forked_from_project")),
            is_archived=bool(data.get("archived")),
            is_empty=bool(data.get("empty_repo")),
            topics=[str(t) for t in (data.get("topics") or data.get("tag_list") or [])],
            api_ref=text(data["id"]),
            raw=data,
        )

    def _parse_listing(self, response):
        repos = self.parse_repos(response, response.json())
        next_url = response.links.get("next")
        if not next_url and response.headers.get("X-Next-Page"):
            next_url = with_page(response.url, response.headers["X-Next-Page"])
        return repos, next_url

    def owner_pages(self, owner: OwnerInfo, *, state: dict):
        params = {"per_page": 100, "order_by": "id", "sort": "asc"}
        if owner.kind == OwnerKind.USER:
            first = self.url(f"users/{owner.remote_id or quote(owner.path)}/projects", **params)
        else:
            first = self.url(
                f"groups/{owner.remote_id or quote(owner.path, safe='')}/projects",
                include_subgroups="true",
                with_shared="false",
                **params,
            )
        return self.paginate(first, state, self._parse_listing)

    def forge_pages(self, *, state: dict):
        first = self.url("projects", pagination="keyset", order_by="id", sort="asc", per_page=100)
        return self.paginate(first, state, self._parse_listing)

    def root_names(self, repo: RepoInfo) -> list[str]:
        found = self.prefetched(repo)
        if found is not None:
            self.root_items = (repo.api_ref, found.root_items)
            return found.root_names
        url = self.url(f"projects/{repo.api_ref}/repository/tree", per_page=100)
        return self.names_listed_at(repo, url, listing="tree")

    def _tree(self, repo: RepoInfo, **params) -> list:
        query = urlencode({**params, "per_page": 100})
        url = f"{self.url(f'projects/{repo.api_ref}/repository/tree')}?{query}"
        try:
            items = self.http.get(url).json()
        except NotFound:
            return []
        if not isinstance(items, list):
            raise MalformedResponse(f"{repo.full_path}: the tree is not a list")
        return items

    def tree_paths(self, repo: RepoInfo, head: str) -> dict[str, int | None]:
        # GitLab's recursive tree is paginated over the whole repository: the root listing
        # root_names already read, then one listing per first-level directory that may hold
        # the project's manifests (not node_modules, tests, hidden…), at most
        # MAX_TREE_DIRECTORIES. No sizes: parse_manifest refuses a file over 1 MiB.
        if repo.is_empty or not head or not repo.default_branch:
            return {}
        found = self.prefetched(repo)
        if found is not None and head == found.head and found.tree is not None:
            return dict(found.tree)
        ref, items = self.root_items
        if ref != repo.api_ref:
            items = self._tree(repo, ref=repo.default_branch)
        paths = shallow_blobs(items, repo.full_path)
        directories = sorted(
            str(item.get("path"))
            for item in items
            if isinstance(item, dict)
            and item.get("type") == "tree"
            and isinstance(item.get("path"), str)
            and directory_may_hold_manifests(item["path"])
        )
        for directory in directories[:MAX_TREE_DIRECTORIES]:
            listed = self._tree(repo, path=directory, ref=repo.default_branch)
            paths.update(shallow_blobs(listed, repo.full_path))
        return paths

    def read_file(self, repo: RepoInfo, name: str) -> bytes | None:
        found = self.prefetched(repo)
        if found is not None and name in found.files:
            return found.files[name]
        url = self.url(
            f"projects/{repo.api_ref}/repository/files/{quote(name, safe='')}/raw",
            ref=repo.default_branch or "HEAD",
        )
        try:
            return self.http.get(url).content
        except NotFound:
            return None

    def languages(self, repo: RepoInfo) -> dict:
        found = self.prefetched(repo)
        if found is not None:
            return dict(found.languages)
        data = self.http.get(self.url(f"projects/{repo.api_ref}/languages")).json()
        return data if isinstance(data, dict) else {}

    def head_commit(self, repo: RepoInfo) -> str:
        found = self.prefetched(repo)
        if found is not None:
            return found.head
        return super().head_commit(repo)

    def branch_url(self, repo: RepoInfo) -> str:
        branch = quote(repo.default_branch, safe="")
        return self.url(f"projects/{repo.api_ref}/repository/branches/{branch}")

    def license(self, repo: RepoInfo) -> str:
        data = self.http.get(self.url(f"projects/{repo.api_ref}", license="true")).json()
        license_data = (data or {}).get("license") if isinstance(data, dict) else None
        if not license_data:
            return ""
        return text(license_data.get("key") or license_data.get("name"))
