"""GitHub REST API v3 (github.com and GitHub Enterprise)."""

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
)
from core.http import MalformedResponse


class GitHubClient(ContentsAPI, ForgeClient):
    contents_root = "contents/"
    branch_commit_key = "sha"

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
