"""The contributions listing as CSV or JSON (published contributions only)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.exports import Column, table_dump
from contributions.models import Contribution
from core.urls import reverser
from moderation.models import ModerationStatus

CONTRIBUTION_COLUMNS = [
    Column("id", "integer", _("Identifiant de la contribution sur le portail")),
    Column("project_name", "string", _("Nom du projet")),
    Column("project_url", "url", _("Adresse du projet")),
    Column(
        "kind",
        "string",
        _(
            "Nature : code, documentation, translation, bug_report, review, maintenance, "
            "funding ou event"
        ),
    ),
    Column("public_body", "string", _("Organisme public")),
    Column("public_body_id", "string", _("Identifiant de l’organisme sur ce portail")),
    Column("ministry", "string", _("Ministère dont relève l’organisme, s’il est connu")),
    Column("ministry_id", "string", _("Identifiant du ministère sur ce portail")),
    Column("author", "string", _("Nom de l’agent, s’il a choisi de l’afficher")),
    Column("started_on", "string", _("Date, ou début de la période (AAAA-MM-JJ)")),
    Column("ended_on", "string", _("Fin de la période (AAAA-MM-JJ)")),
    Column("evidence_urls", "array", _("Liens vers la contribution")),
    Column("description", "string", _("Description (Markdown)")),
    Column("repository", "url", _("Dépôt du catalogue correspondant au projet")),
    Column("software", "url", _("Fiche SILL correspondant au projet")),
    Column("page", "url", _("Page de la contribution sur le portail")),
]


def contribution_rows(queryset, *, base_url):
    """One dict per contribution, in one query whatever the number of rows."""
    # Software.get_absolute_url() from the row's values, without a model instance.
    software_page = reverser("sill:detail", arity=1)
    rows = queryset.values(
        "pk",
        "project_name",
        "project_url",
        "kind",
        "public_body__name",
        "public_body__slug",
        "public_body__ministry__name",
        "public_body__ministry__slug",
        "author__show_name",
        "author__first_name",
        "author__last_name",
        "started_on",
        "ended_on",
        "evidence_urls",
        "description",
        "repository__web_url",
        "repository__gone_since",
        "software__slug",
        "software__moderation_status",
    )
    for row in rows.iterator(chunk_size=1000):
        author = ""
        if row["author__show_name"]:
            author = f"{row['author__first_name']} {row['author__last_name']}".strip()
        yield {
            "id": row["pk"],
            "project_name": row["project_name"],
            "project_url": row["project_url"],
            "kind": row["kind"],
            "public_body": row["public_body__name"] or "",
            "public_body_id": row["public_body__slug"] or "",
            "ministry": row["public_body__ministry__name"] or "",
            "ministry_id": row["public_body__ministry__slug"] or "",
            "author": author,
            "started_on": row["started_on"].isoformat(),
            "ended_on": row["ended_on"].isoformat() if row["ended_on"] else None,
            "evidence_urls": row["evidence_urls"] or [],
            "description": row["description"],
            # Only what the contribution's own page links to: present and published.
            "repository": None if row["repository__gone_since"] else row["repository__web_url"],
            "software": (
                base_url + software_page(row["software__slug"])
                if row["software__slug"]
                and row["software__moderation_status"] == ModerationStatus.PUBLISHED
                else None
            ),
            # Contribution.get_absolute_url() from the row's values.
            "page": base_url + reverse("contributions:detail", args=[row["pk"]]),
        }


# The contributions' data set in the full dumps of /donnees/ (ContributionsConfig.open_data).
DUMPS = [
    table_dump(
        "contributions",
        "contributions",
        title=_("Contributions"),
        description=_(
            "Les contributions publiées des agents publics aux logiciels libres : projet, "
            "nature, organisme public, période et liens."
        ),
        columns=CONTRIBUTION_COLUMNS,
        rows=lambda base_url: contribution_rows(
            Contribution.objects.published().order_by("-started_on", "pk"), base_url=base_url
        ),
        listing="contributions:index",
    )
]
