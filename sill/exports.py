"""SILL exports: the listing as CSV/JSON and its data set of the dumps (Catalogi's format is
sill/catalogi.py)."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from catalog.exports import Column, table_dump
from core.urls import reverser
from sill.models import Software

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
        live="sill:catalogi_export",
        live_label=_("Le SILL complet au format de Catalogi : /sill/sill.json"),
    )
]
