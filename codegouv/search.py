"""The search of the whole portal (`/recherche/?q=…`): the first matches of the repositories,
the SILL software and the organisations, each group with its total and a link to its full
listing.

Each group runs its listing's own FilterSet on `q` alone (core.listing.bind_filters), so its
total is the one the linked listing shows (archived repositories left out, as /depots/
does), and its rows come in the listing's relevance order. No search of its own here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from catalog import filters as catalog_filters
from catalog.models import Owner, Repository
from core.listing import bind_filters, sort_order
from core.search import clean_query
from sill import filters as sill_filters
from sill.models import Software

GROUP_SIZE = 5


@dataclass
class Group:
    key: str  # "repositories", "software", "owners": the template's card for each row
    title: str
    rows: list
    total: int
    listing_url: str  # the full listing, filtered on the same search
    more_label: str  # "Voir les 12 dépôts"
    empty_label: str


# key (the template's card for each row), FilterSet, rows searched, title, listing's URL
# name, link to it ("Voir les 12 dépôts"), what is said when nothing matches.
GROUPS = (
    (
        "repositories",
        catalog_filters.RepositoryFilter,
        lambda: Repository.objects.visible(),
        _("Dépôts de code source"),
        "catalog:index",
        ngettext_lazy("Voir le dépôt", "Voir les %(n)s dépôts", "n"),
        _("Aucun dépôt ne correspond."),
    ),
    (
        "software",
        sill_filters.SoftwareFilter,
        lambda: Software.objects.published(),
        _("Logiciels recommandés (SILL)"),
        "sill:index",
        ngettext_lazy("Voir le logiciel", "Voir les %(n)s logiciels", "n"),
        _("Aucun logiciel du SILL ne correspond."),
    ),
    (
        "owners",
        catalog_filters.OwnerFilter,
        lambda: Owner.objects.listed().with_public_body(),
        _("Organisations"),
        "owners:index",
        ngettext_lazy("Voir l’organisation", "Voir les %(n)s organisations", "n"),
        _("Aucune organisation ne correspond."),
    ),
)


def search_everything(text: str) -> list[Group]:
    """The three groups for the search `text` ([] when nothing is left to search once
    cleaned)."""
    text = clean_query(text)
    if not text:
        return []
    groups = []
    for key, filterset_class, base, title, url_name, more, empty in GROUPS:
        _filterset, rows = bind_filters(filterset_class, {"q": text}, base())
        _sort, order = sort_order(
            {}, sorts=filterset_class.sorts, default=filterset_class.default_sort, searching=True
        )
        total = rows.count()
        groups.append(
            Group(
                key=key,
                title=title,
                rows=list(rows.for_list().order_by(*order)[:GROUP_SIZE]) if total else [],
                total=total,
                listing_url=f"{reverse(url_name)}?{urlencode({'q': text})}",
                more_label=more % {"n": total},
                empty_label=empty,
            )
        )
    return groups
