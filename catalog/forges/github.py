"""GitHub REST API v3 (github.com and GitHub Enterprise)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote

from catalog.enums import OwnerKind
from catalog.forges.base import ForgeClient, OwnerInfo, RepoInfo, parse_date
from catalog.forges.http import MalformedResponse, NotFound


def _text(value) -> str:
    return str(value or "").strip()


class GitHubClient(ForgeClient):
    kind = "github"

    def fetch_owner(self, path: str) -> OwnerInfo:
        try:
            data = self.http.get(self.url(f"orgs/{quote(path)}")).json()
            kind = OwnerKind.ORGANIZATION
        except NotFound:
            data = self.http.get(self.url(f"users/{quote(path)}")).json()
            kind = OwnerKind.ORGANIZATION if data.get("type") == "Organization" else OwnerKind.USER
        if not isinstance(data, dict):
            raise MalformedResponse(f"{path}: the owner is not a JSON object")
        return OwnerInfo(
            path=_text(data.get("login")) or path,
            kind=kind,
            remote_id=_text(data.get("id")),
            name=_text(data.get("name")),
            description=_text(data.get("description") or data.get("bio")),
            avatar_url=_text(data.get("avatar_url")),
            website=_text(data.get("blog")),
            email=_text(data.get("email")),
            location=_text(data.get("location")),
            created_at=parse_date(data.get("created_at")),
            raw=data,
        )

    def parse_repo(self, data: dict) -> RepoInfo:
        license_data = data.get("license") or {}
        spdx = _text(license_data.get("spdx_id"))
        return RepoInfo(
            remote_id=_text(data["id"]),
            full_path=_text(data["full_name"]),
            name=_text(data.get("name")),
            owner_path=_text((data.get("owner") or {}).get("login")),
            web_url=_text(data.get("html_url")),
            description=_text(data.get("description")),
            homepage=_text(data.get("homepage")),
            default_branch=_text(data.get("default_branch")),
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
            else _text(license_data.get("name")),
            language=_text(data.get("language")),
            topics=[str(topic) for topic in data.get("topics") or []],
            api_ref=_text(data["full_name"]),
            raw=data,
        )

    def _parse_listing(self, response):
        items = response.json()
        if not isinstance(items, list):
            raise MalformedResponse(f"{response.url}: expected a list of repositories")
        try:
            repos = [self.parse_repo(item) for item in items]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MalformedResponse(f"{response.url}: unexpected repository ({exc})") from None
        return repos, response.links.get("next")

    def owner_pages(self, owner: OwnerInfo, *, state: dict):
        if owner.kind == OwnerKind.USER:
            first = self.url(f"users/{quote(owner.path)}/repos", per_page=100, type="owner")
        else:
            first = self.url(f"orgs/{quote(owner.path)}/repos", per_page=100, type="all")
        return self.paginate(first, state, self._parse_listing)

    def forge_pages(self, *, state: dict):
        return self.paginate(self.url("repositories"), state, self._parse_listing)

    def root_names(self, repo: RepoInfo) -> list[str]:
        try:
            items = self.http.get(self.url(f"repos/{repo.api_ref}/contents/")).json()
        except NotFound:
            return []
        if not isinstance(items, list):
            raise MalformedResponse(f"{repo.full_path}: the root listing is not a list")
        return [str(item.get("name", "")) for item in items if isinstance(item, dict)]

    def read_file(self, repo: RepoInfo, name: str) -> bytes | None:
        try:
            data = self.http.get(self.url(f"repos/{repo.api_ref}/contents/{quote(name)}")).json()
        except NotFound:
            return None
        if not isinstance(data, dict) or data.get("encoding") != "base64":
            raise MalformedResponse(f"{repo.full_path}/{name}: unexpected file payload")
        try:
            return base64.b64decode(data.get("content") or "")
        except (binascii.Error, ValueError):
            raise MalformedResponse(f"{repo.full_path}/{name}: invalid base64") from None

    def languages(self, repo: RepoInfo) -> dict:
        data = self.http.get(self.url(f"repos/{repo.api_ref}/languages")).json()
        return data if isinstance(data, dict) else {}
