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

    def fetch_owner(self, path: str) -> OwnerInfo:
        data, is_org = self.org_or_user(path)
        if is_org or data.get("type") == "Organization":
            kind = OwnerKind.ORGANIZATION
        else:
            kind = OwnerKind.USER
        if not isinstance(data, dict):
            raise MalformedResponse(f"{path}: the owner is not a JSON object")
        return OwnerInfo(
            path=text(data.get("login")) or path,
            kind=kind,
            remote_id=text(data.get("id")),
            name=text(data.get("name")),
            description=text(data.get("description") or data.get("bio")),
            avatar_url=text(data.get("avatar_url")),
            website=text(data.get("blog")),
            email=text(data.get("email")),
            location=text(data.get("location")),
            created_at=parse_date(data.get("created_at")),
            raw=data,
        )

    def parse_repo(self, data: dict) -> RepoInfo:
        license_data = data.get("license") or {}
        spdx = text(license_data.get("spdx_id"))
        return RepoInfo(
            remote_id=text(data["id"]),
            full_path=text(data["full_name"]),
            name=text(data.get("name")),
            owner_path=text((data.get("owner") or {}).get("login")),
            web_url=text(data.get("html_url")),
            description=text(data.get("description")),
            homepage=text(data.get("homepage")),
            default_branch=text(data.get("default_branch")),
            created_at=parse_date(data.get("created_at")),
            updated_at=parse_date(data.get("updated_at")),
            pushed_at=parse_date(data.get("pushed_at")),
            stars=int(data.get("stargazers_count") or 0),
            forks=int(data.get("forks_count") or 0),
            open_issues=int(data.get("open_issues_count") or 0),
            watchers=int(data.get("watchers_count") or 0),
            is_fork=bool(data.get("fork")),
            is_archived=bool(data.get("archived")),
            is_template=bool(data.get("is_template")),
            is_empty=data.get("size") == 0,
            license_reported=spdx
            if spdx and spdx != "NOASSERTION"
            else text(license_data.get("name")),
            language=text(data.get("language")),
            topics=[str(topic) for topic in data.get("topics") or []],
            api_ref=text(data["full_name"]),
            raw=data,
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
