"""Forge API clients behind one interface (see base.ForgeClient)."""

from django.conf import settings

from catalog.enums import ForgeKind
from catalog.forges.base import ForgeClient
from catalog.forges.gitea import GiteaClient
from catalog.forges.github import GitHubClient
from catalog.forges.gitlab import GitLabClient
from core.http import ForgeHTTP

CLIENTS = {
    ForgeKind.GITHUB: GitHubClient,
    ForgeKind.GITLAB: GitLabClient,
    ForgeKind.GITEA: GiteaClient,
    ForgeKind.FORGEJO: GiteaClient,
    ForgeKind.GOGS: GiteaClient,
}
TOKEN_HEADERS = {
    ForgeKind.GITLAB: ("PRIVATE-TOKEN", ""),
    ForgeKind.GITEA: ("Authorization", "token "),
    ForgeKind.FORGEJO: ("Authorization", "token "),
    ForgeKind.GOGS: ("Authorization", "token "),
}


def build_client(forge, **http_options) -> ForgeClient:
    """The client for a Forge row, with its token (FORGE_TOKENS) and the harvest timeouts."""
    header, prefix = TOKEN_HEADERS.get(forge.kind, ("Authorization", "Bearer "))
    options = {
        "token": settings.FORGE_TOKENS.get(forge.host, ""),
        "token_header": header,
        "token_prefix": prefix,
        "connect_timeout": settings.HARVEST_CONNECT_TIMEOUT,
        "read_timeout": settings.HARVEST_READ_TIMEOUT,
        "max_retries": settings.HARVEST_MAX_RETRIES,
        "max_rate_limit_wait": settings.HARVEST_MAX_RATE_LIMIT_WAIT,
    } | http_options
    return CLIENTS[forge.kind](api_url=forge.api_url, http=ForgeHTTP(**options))
