"""What the home page shows: counters over the catalogue, the SILL and the contributions,
and the latest repositories."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.listing_cache import catalog_version
from catalog.models import Forge, Owner, Repository
from contributions.models import Contribution
from core.cache import bump_version, current_version
from editorial.guides import linked_pages
from editorial.models import ABOUT_SLUG
from sill.models import Software

# The tiles "Ce que vous trouverez ici": (title, URL name, one sentence, DSFR pictogram).
SECTIONS = (
    (
        _("Codes sources"),
        "catalog:index",
        _(
            "Les dépôts publiés par les organismes publics sur leurs forges, avec leur licence "
            "et leur potentiel de réutilisation."
        ),
        "digital/coding.svg",
    ),
    (
        _("Organisations"),
        "owners:index",
        _(
            "Les comptes et groupes des organismes publics sur les forges, avec ce que "
            "chacun publie."
        ),
        "buildings/school.svg",
    ),
    (
        _("Sélection Awesome"),
        "catalog:awesome",
        _(
            "Les logiciels libres publics les plus aboutis : licence, documentation, "
            "maintenance et usage par plusieurs administrations."
        ),
        "leisure/community.svg",
    ),
    (
        _("Ministères"),
        "ministries",
        _(
            "Ce que publie chaque ministère, les logiciels libres que ses organismes "
            "utilisent et leurs contributions."
        ),
        "buildings/city-hall.svg",
    ),
    (
        _("Logiciels recommandés (SILL)"),
        "sill:index",
        _(
            "Le socle interministériel de logiciels libres : les logiciels que l’État "
            "recommande et qui les utilise."
        ),
        "digital/application.svg",
    ),
    (
        _("Contributions"),
        "contributions:index",
        _(
            "Ce que les agents publics apportent aux logiciels libres qu’ils n’ont pas créés : "
            "code, documentation, traductions…"
        ),
        "digital/ecosystem.svg",
    ),
    (
        _("Statistiques"),
        "stats",
        _("Les chiffres des codes sources publics : forges, organisations, licences et langages."),
        "digital/data-visualization.svg",
    ),
    (
        _("Données"),
        "data:index",
        _("Tout le catalogue en CSV et JSON, sous Licence Ouverte, et son dictionnaire."),
        "document/document-download.svg",
    ),
    (
        _("À propos"),
        "about",
        _(
            "Ce qu’est ce portail, d’où viennent ses données et comment faire référencer "
            "la forge ou l’organisation d’un organisme public."
        ),
        "digital/search.svg",
    ),
)

COUNTERS_KEY = "catalog:home-counters"
# Bumped whenever a counted SILL software or contribution is saved or deleted (the
# catalogue's own writes bump catalog_version()): the cached counters then go stale at once.
COUNTERS_VERSION_KEY = "codegouv:home-counters-version"
# Counted models the catalogue version does not follow (receivers set in codegouv.apps).
COUNTED_MODELS = (Software, Contribution)


def counted_row_changed(**_kwargs) -> None:
    """post_save/post_delete receiver of COUNTED_MODELS: the counters are stale."""
    bump_version(COUNTERS_VERSION_KEY)
    # Again once committed: a page rendered before the commit may have cached the old
    # counts under the new version.
    transaction.on_commit(lambda: bump_version(COUNTERS_VERSION_KEY), robust=True)


def counters() -> dict:
    """Totals for the home page, cached for 10 minutes (five COUNT queries otherwise)."""
    key = f"{COUNTERS_KEY}:{catalog_version()}:{current_version(COUNTERS_VERSION_KEY)}"
    values = cache.get(key)
    if values is None:
        values = {
            # As /depots/ counts them by default: visible, not archived; the archived apart.
            **Repository.objects.visible().aggregate(
                repositories=Count("pk", filter=Q(is_archived=False)),
                archived=Count("pk", filter=Q(is_archived=True)),
            ),
            "owners": Owner.objects.listed().count(),
            "forges": Forge.objects.filter(owners__repository_count__gt=0).distinct().count(),
            "software": Software.objects.published().count(),
            "contributions": Contribution.objects.published().count(),
        }
        cache.set(key, values, timeout=600)
    return values


def latest_repositories(limit: int = 6):
    return Repository.objects.originals().for_list().newest_first()[:limit]


def sections() -> list[dict]:
    """The home page's tiles, with their addresses. The about page's tile shows while the
    editors keep that guide page linked from the navigation or the footer."""
    linked = linked_pages()
    about_linked = any(slug == ABOUT_SLUG for pages in linked.values() for _title, slug in pages)
    return [
        {"title": title, "url": reverse(name), "description": description, "pictogram": pictogram}
        for title, name, description, pictogram in SECTIONS
        if name != "about" or about_linked
    ]
