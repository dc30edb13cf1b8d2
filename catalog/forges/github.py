"""GitHub REST API v3 (github.com and GitHub Enterprise); with a token, the inspection's
reads come in batches through the GraphQL API (see github_graphql)."""

from __future__ import annotations

from urllib.parse import quote

from catalog.enums import OwnerKind
from catalog.forges.base import (
    ContentsAPI,
    ForgeClient,
    OwnerInfo,
    RepoInfo,
    parse_date,
    shallow_blobs,
    text,
)
from catalog.forges.github_graphql import GraphQLPrefetch, Prefetched
from core.http import ForgeHTTP, MalformedResponse, NotFound


class GitHubClient(ContentsAPI, ForgeClient):
    contents_root = "contents/"
    branch_commit_key = "sha"

    def __init__(self, *, api_url: str, http: ForgeHTTP):
        super().__init__(api_url=api_url, http=http)
        # GitHub's GraphQL API requires a token: without one, everything goes through REST.
        self.graphql = GraphQLPrefetch(http, self.api_url) if http.authenticated else None
        # (api_ref, {path: size}) of the last default branch's tree read for a root listing
        # (branch_tree_names): tree_paths answers from it.
        self.branch_tree: tuple[str | None, dict[str, int | None]] = (None, {})

    def prefetch(self, repos: list[RepoInfo], *, manifests_at: dict[str, str]) -> None:
        if self.graphql is not None:
            self.graphql.plan(repos, manifests_at=manifests_at)

    def prefetched(self, repo: RepoInfo) -> Prefetched | None:
        """What the GraphQL batch of `repo` said of it; None: ask REST."""
        return self.graphql.lookup(repo) if self.graphql is not None else None

    def root_names(self, repo: RepoInfo) -> list[str]:
        found = self.prefetched(repo)
        if found is None:
            return self.branch_tree_names(repo)
        if found.gone:  # NOT_FOUND, as a REST 404 on the root listing
            return []
        self.root_items = (repo.api_ref, found.root_items)
        return found.root_names

    def read_file(self, repo: RepoInfo, name: str) -> bytes | None:
        found = self.prefetched(repo)
        if found is not None and name in found.files:
            return found.files[name]
        return super().read_file(repo, name)

    def languages(self, repo: RepoInfo) -> dict:
        found = self.prefetched(repo)
        if found is not None and found.languages is not None:
            return dict(found.languages)
        return super().languages(repo)

    def head_commit(self, repo: RepoInfo) -> str:
        found = self.prefetched(repo)
        if found is not None and not found.gone:
            return found.head
        return super().head_commit(repo)

    def branch_tree_names(self, repo: RepoInfo) -> list[str]:
        """The root listing through REST from the recursive tree of the default branch: the
        same request then gives tree_paths the manifests' paths, one request where the
        contents listing and the tree took two. The contents listing for a truncated tree
        (its root entries may be missing), a branch name with a slash (the route would take
        it for a path) or an empty repository (a tree there is a 409, not a 404)."""
        branch = repo.default_branch
        if repo.is_empty or not branch or "/" in branch:
            return super().root_names(repo)
        url = self.url(f"repos/{repo.api_ref}/git/trees/{quote(branch, safe='')}", recursive=1)
        try:
            data = self.http.get(url).json()
        except NotFound:
            return []  # as the contents listing of a repository gone since the listing
        if not isinstance(data, dict):
            raise MalformedResponse(f"{repo.full_path}: the tree is not an object")
        if data.get("truncated"):
            return super().root_names(repo)
        items = data.get("tree") or []
        tree = shallow_blobs(items, repo.full_path)
        root = [
            {"name": item["path"], "type": "dir" if item.get("type") == "tree" else "file"}
            for item in items
            if isinstance(item, dict)
            and isinstance(item.get("path"), str)
            and "/" not in item["path"]
        ]
        self.root_items = (repo.api_ref, root)
        self.branch_tree = (repo.api_ref, tree)
        return [item["name"] for item in root]

    def tree_paths(self, repo: RepoInfo, head: str) -> dict[str, int | None]:
        found = self.prefetched(repo)
        if found is not None and not found.gone and head and head == found.head:
            # The root and first-level blobs came with the head commit.
            return dict(found.tree) if self.root_may_hold_manifests(repo) else {}
        ref, tree = self.branch_tree
        if found is None and head and ref == repo.api_ref:
            # Read with the root listing, moments before the head commit.
            return dict(tree)
        return super().tree_paths(repo, head)

    def fetch_owner(self, path: str) -> OwnerInfo:
        data, is_org = self.org_or_user(path)
        if is_org or data.get("type") == "Organization":
            kind = OwnerKind.ORGANIZATION
        else:
            kind = OwnerKind.USER
        if not isinstance(data, dict):
            raise MalformedResponse(f"{path}: the owner is not a JSON object")
        return self.parse_shared_owner(
            data,
            path=text(data.get("login")) or path,
            kind=kind,
            name=text(data.get("name")),
            description=text(data.get("description") or data.get("bio")),
            website=text(data.get("blog")),
            created_at=parse_date(data.get("created_at")),
        )

    def parse_repo(self, data: dict) -> RepoInfo:
        license_data = data.get("license") or {}
        spdx = text(license_data.get("spdx_id"))
        return self.parse_shared_repo(
            data,
            owner_path=text((data.get("owner") or {}).get("login")),
            homepage=text(data.get("homepage")),
            pushed_at=parse_date(data.get("pushed_at")),
            stars=int(data.get("stargazers_count") or 0),
            is_template=bool(data.get("is_template")),
            is_empty=data.get("size") == 0,
            license_reported=spdx
            if spdx and spdx != "NOASSERTION"
            else text(license_data.get("name")),
        )

    def _parse_listing(self, response):
        return self.parse_repos(response, response.json()), response.links.get("next")

    def owner_pages(self, owner: OwnerInfo, *, state: dict):
        if owner.kind == OwnerKind.USER:
            first = self.url(f"users/{quote(owner.path)}/repos", per_page=100, type="owner")
        else:
            first = self.url(f"orgs/{quote(owner.path)}/repos", per_page=100, type="all")
        return self.paginate(first, state, self._parse_listing)

    def forge_pages(self, *, state: dict):
        return self.paginate(self.url("repositories"), state, self._parse_listing)
