"""Writes on contributions and on the inventory of unpublished code."""

import logging
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import Repository
from contributions.models import Contribution, UnpublishedCode, project_key
from moderation.models import initial_status
from moderation.services import create_once, update_declared
from sill.models import Software

logger = logging.getLogger(__name__)

CONTRIBUTION_FIELDS = (
    "project_name",
    "project_url",
    "kind",
    "evidence_urls",
    "started_on",
    "ended_on",
    "description",
    "public_body",
)
UNPUBLISHED_FIELDS = (
    "name",
    "description",
    "public_body",
    "technologies",
    "reason",
    "contact",
    "planned_on",
)


def find_repository(url: str):
    """The visible catalogue repository whose address is `url` (case, scheme, a trailing
    "/" or ".git" aside), or None."""
    key = project_key(url)
    host, _sep, path = key.partition("/")
    if not path:
        return None
    candidates = Q()
    for scheme in ("https", "http"):
        for suffix in ("", "/", ".git", ".git/"):
            candidates |= Q(web_url__iexact=f"{scheme}://{key}{suffix}")
    return (
        Repository.objects.visible()
        .filter(forge__host__iexact=host)
        .filter(candidates)
        .order_by("pk")
        .first()
    )


def find_software(url: str, *, repository=None):
    """The published SILL software whose sources or website is `url`, or whose catalogue
    repository is `repository`; None if there is none."""
    key = project_key(url)
    host = urlsplit(url).hostname or ""
    if not host:
        return None
    related = Q(source_url__icontains=host) | Q(website__icontains=host)
    if repository is not None:
        related |= Q(source_repository=repository)
    for software in (
        Software.objects.published()
        .filter(related)
        .only("pk", "source_url", "website", "source_repository_id")
        .order_by("pk")
    ):
        if repository is not None and software.source_repository_id == repository.pk:
            return software
        if key in {project_key(software.source_url), project_key(software.website)} - {""}:
            return software
    return None


def _links(project_url):
    repository = find_repository(project_url)
    return {"repository": repository, "software": find_software(project_url, repository=repository)}


def declare_contribution(*, author, token, **values) -> tuple[Contribution, bool]:
    """Create the contribution `author` declared (once per form `token`), linked to the
    catalogue repository or SILL software it is about. Returns (contribution, created)."""
    values = {field: values[field] for field in CONTRIBUTION_FIELDS}
    return create_once(
        Contribution,
        token=token,
        author=author,
        moderation_status=initial_status(author),
        **values,
        **_links(values["project_url"]),
    )


@transaction.atomic
def update_contribution(*, contribution: Contribution, by, **values) -> Contribution:
    values = {field: values[field] for field in CONTRIBUTION_FIELDS}
    values |= _links(values["project_url"])
    update_declared(row=contribution, values=values, by=by)
    # The database recomputes the project key.
    contribution.refresh_from_db(fields=["project_key"])
    return contribution


def declare_unpublished_code(*, author, token, **values) -> tuple[UnpublishedCode, bool]:
    values = {field: values[field] for field in UNPUBLISHED_FIELDS}
    return create_once(
        UnpublishedCode,
        token=token,
        author=author,
        moderation_status=initial_status(author),
        **values,
    )


def update_unpublished_code(*, code: UnpublishedCode, by, **values) -> UnpublishedCode:
    values = {field: values[field] for field in UNPUBLISHED_FIELDS}
    update_declared(row=code, values=values, by=by)
    return code


def mark_published(
    code: UnpublishedCode, *, repository: Repository, by, at=None
) -> UnpublishedCode:
    """An editor saw the code appear on a forge: link the entry to its repository.

    `by` is the editor, for the record of who decided (the entry's moderation fields are
    not touched: it stays visible as it was)."""
    code.published_repository = repository
    code.published_at = at or timezone.now()
    code.save(update_fields=["published_repository", "published_at", "updated_at"])
    logger.info("Unpublished code %s marked published as %s by %s", code.pk, repository, by)
    return code
