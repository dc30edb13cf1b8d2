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
from catalog.forges.github_graphql import GraphQLPrefetch
from core.http import ForgeHTTP, MalformedResponse, NotFound


class GitHubClient(ContentsAPI, ForgeClient):
    contents_root = "contents/"
    branch_commit_key = "sha"

    def __init__(self, *, api_url: str, http: ForgeHTTP):
        super().__init__(api_url=api_url, http=http)
        # GitHub's GraphQL API requires a token: without one, everything goes through REST.
        self.graphql = GraphQLPrefetch(http, self.api_url) if http.authenticated else None
        # Through REST (head_tree_names): the forge ids whose manifests the inspection reads
        # whatever the head (new, or --full), and (api_ref, head, {path: size}) of the
        # last head commit and tree read for a root listing.
        self.reading_manifests: set[str] = set()
        self.head_tree: tuple[str | None, str, dict[str, int | None]] = (None, "", {})

    def prefetch(self, repos: list[RepoInfo], *, manifests_at: dict[str, str]) -> None:
        self.reading_manifests = {
            repo.remote_id for repo in repos if repo.remote_id not in manifests_at
        }
        super().prefetch(repos, manifests_at=manifests_at)

    def root_names(self, repo: RepoInfo) -> list[str]:
        found = self.prefetched(repo)
        if found is None:
            return self.head_tree_names(repo)
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
        if not repo.language:
            # The listing names the largest language of the breakdown: none means the
            # breakdown is empty (a request saved for one GitHub repository in seven of
            # the 2021 catalogue, 754 of 5,178).
            return {}
        return super().languages(repo)

    def head_commit(self, repo: RepoInfo) -> str:
        found = self.prefetched(repo)
        if found is not None and not found.gone:
            return found.head
        ref, head, _tree = self.head_tree
        if found is None and ref == repo.api_ref:
            return head  # asked for the root listing (head_tree_names), "" included
        return super().head_commit(repo)

    def head_tree_names(self, repo: RepoInfo) -> list[str]:
        """The root listing through REST. For a repository whose manifests are read
        whatever its head (new, or --full): the head commit, then its recursive tree, which
        also gives tree_paths the manifests' paths: two requests where the contents
        listing, the head and the tree took three. For the others, whose manifests are read
        only if the head moved, the contents listing (a recursive tree can weigh megabytes).
        The contents listing too when the head is unknown or the tree is truncated (its
        root entries may be missing; tree_paths keeps what came, as it would)."""
        if repo.is_empty or repo.remote_id not in self.reading_manifests:
            return super().root_names(repo)
        head = super().head_commit(repo)
        self.head_tree = (repo.api_ref, head, {})
        if not head:
            return super().root_names(repo)
        url = self.url(f"repos/{repo.api_ref}/git/trees/{quote(head)}", recursive=1)
        try:
            data = self.http.get(url).json()
        except NotFound:
            return super().root_names(repo)
        if not isinstance(data, dict):
            raise MalformedResponse(f"{repo.full_path}: the tree is not an object")
        items = data.get("tree") or []
        self.head_tree = (repo.api_ref, head, shallow_blobs(items, repo.full_path))
        if data.get("truncated"):
            return super().root_names(repo)
        root = [
            {"name": item["path"], "type": "dir" if item.get("type") == "tree" else "file"}
            for item in items
            if isinstance(item, dict)
            and isinstance(item.get("path"), str)
            and "/" not in item["path"]
        ]
        self.root_items = (repo.api_ref, root)
        return [item["name"] for item in root]

    def tree_paths(self, repo: RepoInfo, head: str) -> dict[str, int | None]:
        found = self.prefetched(repo)
        if found is not None and not found.gone and head and head == found.head:
            # The root and first-level blobs came with the head commit.
            return dict(found.tree) if self.root_may_hold_manifests(repo) else {}
        ref, read_head, tree = self.head_tree
        if found is None and head and ref == repo.api_ref and head == read_head:
            return dict(tree)  # read with the root listing (head_tree_names)
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
