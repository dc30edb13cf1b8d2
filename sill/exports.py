"""SILL exports: the listing as CSV/JSON, and a full JSON modelled on Catalogi's sill.json."""

from collections import defaultdict

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from catalog.exports import Column, table_dump
from core.urls import reverser
from moderation.models import ModerationStatus
from sill.enums import DeclarationKind, SoftwareStatus
from sill.models import Declaration, Software

SOFTWARE_COLUMNS = [
    Column("id", "integer", _("Identifiant SILL")),
    Column("name", "string", _("Nom du logiciel")),
    Column("function", "string", _("Ce que fait le logiciel")),
    Column("category", "string", _("Catégorie")),
    Column("status", "string", _("Statut : recommended, observation ou dereferenced")),
    Column("license", "string", _("Licence (expression SPDX)")),
    Column("min_version", "string", _("Version minimale recommandée")),
    Column("support_market", "boolean", _("Couvert par le marché de support interministériel")),
    Column("website", "url", _("Site web")),
    Column("source_url", "url", _("Code source")),
    Column("wikidata_id", "string", _("Identifiant Wikidata")),
    Column("comptoir_id", "string", _("Identifiant Comptoir du Libre")),
    Column("users", "integer", _("Agents ayant déclaré l’utiliser")),
    Column("referents", "integer", _("Référents déclarés")),
    Column("page", "url", _("Page du logiciel sur le portail")),
]


def software_rows(queryset, *, base_url):
    """One dict per software, in two queries whatever the number of rows."""
    # Software.get_absolute_url() from the row's values, without a model instance.
    page = reverser("sill:detail", arity=1)
    rows = queryset.for_list().values(
        "sill_id",
        "slug",
        "name",
        "function",
        "category",
        "status",
        "license",
        "min_version",
        "support_market",
        "website",
        "source_url",
        "wikidata_id",
        "comptoir_id",
        users=F("user_count"),
        referents=F("referent_count"),
    )
    for row in rows.iterator(chunk_size=1000):
        row["id"] = row.pop("sill_id")
        row["page"] = base_url + page(row.pop("slug"))
        yield row


def catalogi_rows():
    """The whole SILL with the field names of Catalogi's public sill.json, so that its
    reusers can switch: counts of users and referents per organisation included."""
    per_body = defaultdict(dict)
    counts = (
        Declaration.objects.published()
        .values("software_id", "public_body__name")
        .annotate(
            userCount=Count("pk", filter=Q(kind=DeclarationKind.USER)),
            referentCount=Count("pk", filter=Q(kind=DeclarationKind.REFERENT)),
        )
        .order_by()
    )
    for row in counts:
        body = row["public_body__name"] or "?"
        per_body[row["software_id"]][body] = {
            "userCount": row["userCount"],
            "referentCount": row["referentCount"],
        }
    similar = defaultdict(list)
    for source, target in Software.similar.through.objects.filter(
        to_software__moderation_status=ModerationStatus.PUBLISHED
    ).values_list("from_software__sill_id", "to_software__sill_id"):
        similar[source].append(target)
    for software in (
        Software.objects.published().select_related("parent").order_by("sill_id").iterator()
    ):
        yield {
            "id": software.sill_id,
            "name": software.name,
            "function": software.function,
            "license": software.license,
            "versionMin": software.min_version,
            "isStillInObservation": software.status == SoftwareStatus.OBSERVATION,
            "dereferencing": (
                {
                    "reason": software.dereferenced_reason,
                    "time": software.dereferenced_at.isoformat()
                    if software.dereferenced_at
                    else None,
                }
                if software.status == SoftwareStatus.DEREFERENCED
                else None
            ),
            "isPresentInSupportContract": software.support_market,
            "isFromFrenchPublicService": software.made_by_administration,
            "wikidataId": software.wikidata_id or None,
            "comptoirDuLibreId": int(software.comptoir_id)
            if software.comptoir_id.isdigit()
            else None,
            "parentSoftwareName": software.parent.name
            if software.parent and software.parent.is_published
            else None,
            "similarSoftwareIds": sorted(similar.get(software.sill_id, [])),
            "categories": [software.category] if software.category else [],
            "userAndReferentCountByOrganization": per_body.get(software.pk, {}),
        }


# The SILL's data set in the full dumps of /donnees/ (SillConfig.open_data).
DUMPS = [
    table_dump(
        "sill",
        "sill",
        title=_("Logiciels recommandés (SILL)"),
        description=_(
            "Les logiciels du socle interministériel de logiciels libres, avec leur statut, "
            "leur licence et le nombre d’agents qui les utilisent."
        ),
        columns=SOFTWARE_COLUMNS,
        rows=lambda base_url: software_rows(
            Software.objects.published().order_by("name", "pk"), base_url=base_url
        ),
        listing="sill:index",
    )
]
