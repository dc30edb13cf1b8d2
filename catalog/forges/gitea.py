"""Gitea, Forgejo and Gogs API v1."""

from __future__ import annotations

from urllib.parse import quote

from catalog.enums import OwnerKind
from catalog.forges.base import (
    ContentsAPI,
    ForgeClient,
    OwnerInfo,
    RepoInfo,
    parse_date,
    text,
    with_page,
)
from core.http import MalformedResponse

PAGE_SIZE = 50  # Gitea's default maximum page size


class GiteaClient(ContentsAPI, ForgeClient):
    def fetch_owner(self, path: str) -> OwnerInfo:
        data, is_org = self.org_or_user(path)
        kind = OwnerKind.ORGANIZATION if is_org else OwnerKind.USER
        if not isinstance(data, dict):
            raise MalformedResponse(f"{path}: the owner is not a JSON object")
        return self.parse_shared_owner(
            data,
            path=text(data.get("username") or data.get("login")) or path,
            kind=kind,
            name=text(data.get("full_name")),
            description=text(data.get("description")),
            website=text(data.get("website")),
            created_at=parse_date(data.get("created")),
        )

    def parse_repo(self, data: dict) -> RepoInfo:
        owner = data.get("owner") or {}
        licenses = data.get("licenses") or []
        return self.parse_shared_repo(
            data,
            owner_path=text(owner.get("login") or owner.get("username")),
            homepage=text(data.get("website")),
            stars=int(data.get("stars_count") or 0),
            is_template=bool(data.get("template")),
            is_empty=bool(data.get("empty")),
            license_reported=" AND ".join(str(item) for item in licenses),
        )

    def _parse(self, response, items):
        repos = self.parse_repos(response, items)
        next_url = response.links.get("next")
        # Gogs sends no Link header: a full page means there may be another one.
        if not next_url and "Link" not in response.headers and len(items) == PAGE_SIZE:
            next_url = with_page(response.url)
        return repos, next_url

    def _parse_listing(self, response):
        return self._parse(response, response.json())

    def _parse_search(self, response):
        body = response.json()
        if not isinstance(body, dict):
            raise MalformedResponse(f"{response.url}: expected a search result object")
        return self._parse(response, body.get("data"))

    def owner_pages(self, owner: OwnerInfo, *, state: dict):
        scope = "users" if owner.kind == OwnerKind.USER else "orgs"
        first = self.url(f"{scope}/{quote(owner.path)}/repos", limit=PAGE_SIZE, page=1)
        return self.paginate(first, state, self._parse_listing)

    def forge_pages(self, *, state: dict):
        first = self.url("repos/search", limit=PAGE_SIZE, page=1)
        return self.paginate(first, state, self._parse_search)
