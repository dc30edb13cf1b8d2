"""The repository listing's filters (GET parameters), its sorts and its facet counts."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.enums import ArchiveState, DependencyScope, Ecosystem, ForgeKind
from catalog.licenses import FREE_LICENSES, NOASSERTION, normalize_license
from catalog.manifests import normalize_purl
from catalog.models import (
    SCORE_ORDER,
    Dependency,
    Library,
    Owner,
    PackageUsage,
    PublicBody,
    Repository,
)
from core.facets import summarize
from core.filters import FilterForm, SearchableFilterSet, yes_no
from core.listing import bind_filters
from core.search import clean_query, json_list_contains

ACTIVE_DAYS = 365


SORTS = {
    "relevance": ("-rank", "-score", "full_path"),
    "score": SCORE_ORDER,
    "updated": ("-updated_at", "full_path"),
    "stars": ("-stars", "full_path"),
    "forks": ("-forks", "full_path"),
    "name": ("name", "full_path"),
    "created": ("-created_at", "full_path"),
}
SORT_LABELS = {
    "relevance": _("Pertinence"),
    "score": _("Potentiel de réutilisation"),
    "updated": _("Dernière mise à jour"),
    "stars": _("Étoiles"),
    "forks": _("Copies (forks)"),
    "name": _("Nom"),
    "created": _("Date de création"),
}
OWNER_SORTS = {
    "repositories": ("-repository_count", "path"),
    "stars": ("-star_count", "path"),
    "activity": (F("last_activity_at").desc(nulls_last=True), "path"),
    "name": ("path",),
}
OWNER_SORT_LABELS = {
    "repositories": _("Nombre de dépôts"),
    "stars": _("Étoiles"),
    "activity": _("Activité récente"),
    "name": _("Nom"),
}


LICENSE_GROUPS = {"free": _("Licence libre"), "none": _("Non renseignée")}
ARCHIVED_CHOICES = (
    ("include", _("Affichés avec les autres")),
    ("only", _("Seulement les archivés")),
)


def bodies_named_by(value) -> QuerySet:
    """The body a filter value names: its slug, or its id in links made before slugs."""
    value = str(value).strip()
    if value.isdigit():
        return PublicBody.objects.filter(pk=int(value)) if int(value) < 2**63 else NO_BODY
    return PublicBody.objects.filter(slug=value)


NO_BODY = PublicBody.objects.none()


def public_body_label(value) -> str:
    """What a public body or ministry filter reads in the removable tags: the body's name,
    never an id."""
    found = bodies_named_by(value).only("name").first()
    return str(found) if found is not None else str(value)


class PublicBodyFilter(django_filters.CharFilter):
    """`?public_body=<slug>`, or with `ministry=True` `?ministry=<slug>` (the bodies of that
    ministry): the rows whose `field_name` is among `keys(bodies)` (by default, the bodies
    themselves). An unknown slug gives no row, not an error."""

    def __init__(self, *, ministry=False, keys=None, **options):
        self.ministry, self.keys = ministry, keys
        super().__init__(max_length=100, **options)

    def filter(self, qs, value):
        if not value:
            return qs
        bodies = bodies_named_by(value)
        if self.ministry:
            bodies = PublicBody.objects.filter(ministry__in=bodies.ministries())
        keys = self.keys(bodies) if self.keys else bodies
        return qs.filter(**{f"{self.field_name}__in": keys})


def owners_of(bodies):
    """The owners of `bodies`, or of the forges they run whole (of_public_bodies)."""
    return Owner.objects.of_public_bodies(bodies).values("pk")


def original_repositories_of(bodies) -> list[int]:
    """The ids of the visible, non-fork repositories of `bodies` (Repository.public_body:
    their owners', or their forges' for owners without one), as a list: given
    as a subquery, PostgreSQL guesses tens of thousands of repositories for a ministry of a
    few thousand and scans every dependency (0.9 s at 2.2 million rows) rather than reading
    theirs by index (ADR 0020)."""
    return list(
        Repository.objects.originals()
        .filter(public_body__in=bodies)
        .order_by()
        .values_list("pk", flat=True)
    )


def license_label(value) -> str:
    return str(LICENSE_GROUPS.get(value, value))


def validate_license_filter(value) -> None:
    """A licence filter names a licence group ("free", "none") or an SPDX licence (or
    expression); anything else matches nothing and is refused (a 400 in the API)."""
    if value in LICENSE_GROUPS or value.startswith("LicenseRef-"):
        return
    if normalize_license(value) == NOASSERTION:
        raise ValidationError(
            _("Licence inconnue : donnez un identifiant SPDX (MIT, EUPL-1.2…), free ou none.")
        )


def validate_purl(value) -> None:
    """A dependency filter names a package by its package URL; anything else is refused (a
    400 in the API, dropped by the HTML listing)."""
    if not normalize_purl(value):
        raise ValidationError(
            _("Package URL inconnue : par exemple pkg:pypi/django ou pkg:npm/vue.")
        )


# `dependency_scope`: runtime dependencies only (by default), or every scope.
DEPENDENCY_SCOPES = (("all", _("Toutes les portées")),)


def archive_label(value) -> str:
    return str(ArchiveState(value).label) if value in ArchiveState.values else str(value)


class RepositoryFilter(SearchableFilterSet):
    forge = django_filters.CharFilter(field_name="forge__host", label=_("Forge"))
    owner = django_filters.CharFilter(method="filter_owner", label=_("Organisation"))
    # The body kept on each repository (its owner's, else its forge's: owners_of's rule).
    public_body = PublicBodyFilter(field_name="public_body", label=_("Organisme public"))
    ministry = PublicBodyFilter(field_name="public_body", ministry=True, label=_("Ministère"))
    language = django_filters.CharFilter(
        field_name="language", lookup_expr="iexact", label=_("Langage")
    )
    license = django_filters.CharFilter(
        method="filter_license", label=_("Licence"), validators=[validate_license_filter]
    )
    topic = django_filters.CharFilter(method="filter_topic", label=_("Thématique"))
    publiccode = yes_no(_("Avec un publiccode.yml valide"), field_name="publiccode_valid")
    contributing = yes_no(_("Avec un guide de contribution"), method="filter_contributing")
    fork = yes_no(_("Copies (forks)"), field_name="is_fork")
    archived = django_filters.ChoiceFilter(
        method="filter_archived",
        choices=ARCHIVED_CHOICES,
        empty_label=_("Masqués"),
        label=_("Dépôts archivés"),
    )
    active = yes_no(_("Actifs dans les 12 derniers mois"), method="filter_active")
    awesome = yes_no(_("Sélection Awesome"), method="filter_awesome")
    swh = django_filters.ChoiceFilter(
        field_name="archive_state",
        choices=ArchiveState.choices,
        label=_("Archivage Software Heritage"),
    )
    min_stars = django_filters.NumberFilter(
        field_name="stars",
        lookup_expr="gte",
        min_value=0,
        max_value=2**31 - 1,
        label=_("Étoiles au moins"),
    )
    # pkg:pypi/django: the repositories that declare the package at runtime (every scope
    # with dependency_scope=all), on the (purl, scope) index.
    dependency = django_filters.CharFilter(
        method="filter_dependency",
        max_length=500,
        validators=[validate_purl],
        label=_("Dépendance (package URL)"),
    )
    dependency_scope = django_filters.ChoiceFilter(
        method="filter_dependency_scope",
        choices=DEPENDENCY_SCOPES,
        empty_label=_("À l’exécution"),
        label=_("Portée de la dépendance"),
    )

    sorts, sort_labels, default_sort = SORTS, SORT_LABELS, "score"

    class Meta(SearchableFilterSet.Meta):
        model = Repository

    # The filtered rows before the archived ones are hidden, or None when the filters say
    # what to do with them: listing_summary counts the hidden ones in the same pass.
    with_archived = None

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Archived repositories are hidden unless asked for.
        if not self.form.cleaned_data.get("archived"):
            self.with_archived = queryset
            queryset = queryset.filter(is_archived=False)
        return queryset

    # How core.listing.active_filters shows these values.
    value_labels = {
        "license": license_label,
        "public_body": public_body_label,
        "ministry": public_body_label,
        "swh": archive_label,
    }

    def filter_q(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    def filter_owner(self, queryset, name, value):
        host, _sep, path = value.strip().strip("/").partition("/")
        if path and "." in host:
            return queryset.filter(forge__host__iexact=host, owner__path__iexact=path)
        return queryset.filter(owner__path__iexact=value.strip().strip("/"))

    def filter_license(self, queryset, name, value):
        if value == "free":
            return queryset.filter(license_spdx__in=FREE_LICENSES)
        if value == "none":
            return queryset.filter(license_spdx=NOASSERTION)
        return queryset.filter(license_spdx__iexact=value)

    def filter_topic(self, queryset, name, value):
        return queryset.filter(json_list_contains("topics", value.strip().lower()))

    def filter_contributing(self, queryset, name, value):
        condition = json_list_contains("root_files", "CONTRIBUTING")
        return queryset.filter(condition if value else ~condition)

    def filter_archived(self, queryset, name, value):
        return queryset.filter(is_archived=True) if value == "only" else queryset

    def filter_active(self, queryset, name, value):
        since = timezone.now() - timedelta(days=ACTIVE_DAYS)
        recent = Q(pushed_at__gte=since) | Q(updated_at__gte=since)
        return queryset.filter(recent if value else ~recent)

    def filter_awesome(self, queryset, name, value):
        if value:
            return queryset.awesome()
        return queryset.exclude(pk__in=Repository.objects.awesome().values("pk"))

    def filter_dependency(self, queryset, name, value):
        rows = Dependency.objects.filter(repository=OuterRef("pk"), purl=normalize_purl(value))
        if self.form.cleaned_data.get("dependency_scope") != "all":
            rows = rows.filter(scope=DependencyScope.RUNTIME)
        return queryset.filter(Exists(rows))

    def filter_dependency_scope(self, queryset, name, value):
        return queryset  # read by filter_dependency


class OwnerFilter(django_filters.FilterSet):
    """The filters of /organisations/."""

    q = django_filters.CharFilter(method="filter_q", label=_("Rechercher une organisation"))
    forge = django_filters.CharFilter(
        field_name="forge__host", lookup_expr="iexact", label=_("Forge")
    )
    kind = django_filters.ChoiceFilter(
        field_name="forge__kind", choices=ForgeKind.choices, label=_("Type de forge")
    )
    public_body = PublicBodyFilter(field_name="pk", keys=owners_of, label=_("Organisme public"))
    ministry = PublicBodyFilter(
        field_name="pk", keys=owners_of, ministry=True, label=_("Ministère")
    )

    value_labels = {"public_body": public_body_label, "ministry": public_body_label}

    sorts, sort_labels, default_sort = OWNER_SORTS, OWNER_SORT_LABELS, "repositories"

    class Meta:
        model = Owner
        fields = []
        form = FilterForm

    def filter_q(self, queryset, name, value):
        text = clean_query(value)
        return queryset.matching(text) if text else queryset


DEPENDENCY_SORTS = {
    "repositories": ("-repositories", "ecosystem", "name"),
    "name": ("name", "ecosystem"),
}
DEPENDENCY_SORT_LABELS = {
    "repositories": _("Nombre de dépôts"),
    "name": _("Nom"),
}


class DependencyFilter(django_filters.FilterSet):
    """The filters of /dependances/. Without a public body filter, the packages' counts of
    the last harvest (PackageUsage.ranked) filtered by ecosystem and name; with one, the
    Dependency rows of that body's visible originals grouped per package once filtered
    (DependencyQuerySet.ranked), so that every count is of distinct repositories matching
    every filter. Either way the queryset the view passes is not read: the rows are those
    of every visible original, as the page says."""

    q = django_filters.CharFilter(method="filter_q", label=_("Rechercher un paquet"))
    ecosystem = django_filters.ChoiceFilter(choices=Ecosystem.choices, label=_("Écosystème"))
    public_body = PublicBodyFilter(
        field_name="repository", keys=original_repositories_of, label=_("Organisme public")
    )
    ministry = PublicBodyFilter(
        field_name="repository",
        keys=original_repositories_of,
        ministry=True,
        label=_("Ministère"),
    )
    scope = django_filters.ChoiceFilter(
        method="filter_scope",
        choices=DEPENDENCY_SCOPES,
        empty_label=_("À l’exécution"),
        label=_("Portée"),
    )

    value_labels = {"public_body": public_body_label, "ministry": public_body_label}

    sorts, sort_labels, default_sort = DEPENDENCY_SORTS, DEPENDENCY_SORT_LABELS, "repositories"

    class Meta:
        model = Dependency
        fields = []
        form = FilterForm

    def filter_queryset(self, queryset):
        chosen = self.form.cleaned_data
        scope = chosen.get("scope") or ""
        if not (chosen.get("public_body") or chosen.get("ministry")):
            # Over every repository: the counts of the last harvest (PackageUsage), not a
            # grouping of millions of rows per visit.
            rows = PackageUsage.objects.ranked(scope)
            if chosen.get("ecosystem"):
                rows = rows.filter(ecosystem=chosen["ecosystem"])
            return self.filter_q(rows, "q", chosen.get("q") or "")
        # The body filters give ids of visible originals already (original_repositories_of):
        # joining the repositories again to check it would scan them all.
        queryset = super().filter_queryset(Dependency.objects.all())
        return queryset.in_scope(scope).ranked()

    def filter_q(self, queryset, name, value):
        text = clean_query(value)
        return queryset.filter(name__icontains=text) if text else queryset

    def filter_scope(self, queryset, name, value):
        return queryset  # applied by filter_queryset, with the grouping


LIBRARY_SORTS = {
    "dependents": ("-dependents", "ecosystem", "name"),
    "name": ("name", "ecosystem"),
}
LIBRARY_SORT_LABELS = {
    "dependents": _("Dépôts qui en dépendent"),
    "name": _("Nom"),
}


class LibraryFilter(django_filters.FilterSet):
    """The filters of /bibliotheques/: the packages published from catalogued repositories,
    by ecosystem and by the publishing repository's public body or ministry."""

    q = django_filters.CharFilter(method="filter_q", label=_("Rechercher une bibliothèque"))
    ecosystem = django_filters.ChoiceFilter(choices=Ecosystem.choices, label=_("Écosystème"))
    public_body = PublicBodyFilter(
        field_name="repository__public_body", label=_("Organisme public")
    )
    ministry = PublicBodyFilter(
        field_name="repository__public_body", ministry=True, label=_("Ministère")
    )

    value_labels = {"public_body": public_body_label, "ministry": public_body_label}

    sorts, sort_labels, default_sort = LIBRARY_SORTS, LIBRARY_SORT_LABELS, "dependents"

    class Meta:
        model = Library
        fields = []
        form = FilterForm

    def filter_q(self, queryset, name, value):
        text = clean_query(value)
        return queryset.filter(name__icontains=text) if text else queryset


def filter_repositories(params, queryset=None):
    """(bound filterset, filtered queryset of visible repositories) for GET `params`."""
    base = queryset if queryset is not None else Repository.objects.visible()
    return bind_filters(RepositoryFilter, params, base)


# The facets of the listing: a column each, and the topics, a JSON list.
FACET_COLUMNS = {
    "forge": "forge__host",
    "language": "language",
    "license": "license_spdx",
    "swh": "archive_state",
}


# Filters the listing offers as selects of their facet's values (bounded ones), or through
# facet links and the organisation and body pages only (owner, public body): not as text
# boxes in the form, nor the search box again.
FACETED_FILTERS = frozenset(
    {"q", "license", "language", "forge", "topic", "ministry", "public_body", "owner", "swh"}
    | {"dependency", "dependency_scope"}  # links from the dependency pages
)
# The facets' values offered by the filter selects (the sidebar links show the first few).
FACET_LIMIT = 20
# Licences are few (SPDX ids): all of them are counted, so that the free ones add up.
LICENSE_LIMIT = 500


def license_facet(values) -> list[tuple[str, int, str]]:
    """The licence facet as visitors read it: "Licence libre" (every free licence) and
    "Non renseignée" (no licence recognised) first, then each licence by frequency."""
    free = sum(count for value, count, _label in values if value in FREE_LICENSES)
    unknown = sum(count for value, count, _label in values if value == NOASSERTION)
    groups = [("free", free), ("none", unknown)]
    # The label stays lazy: the summary is cached for every language (ADR 0013).
    return [(key, count, LICENSE_GROUPS[key]) for key, count in groups if count] + [
        row for row in values if row[0] != NOASSERTION
    ][:FACET_LIMIT]


def archive_facet(values) -> list[tuple[str, int, str]]:
    """The Software Heritage states in their own order, labels lazy (the summary is cached
    for every language)."""
    counts = {value: count for value, count, _label in values}
    return [
        (state.value, counts[state.value], state.label)
        for state in ArchiveState
        if counts.get(state.value)
    ]


@cache
def owners_by_forge_path():
    """The owners with the forge and path the owner filter reads, as the summary maps them:
    built once per process (never evaluated, it is compiled into each summary)."""
    return Owner.objects.annotate(forge_path=Concat("forge__host", Value("/"), "path"))


@cache
def bodies_with_ministry():
    """The public bodies with their ministry's slug and name, as the summary maps them."""
    return PublicBody.objects.annotate(
        ministry_slug=F("ministry__slug"), ministry_name=F("ministry__name")
    )


def listing_summary(filterset, *, limit: int = FACET_LIMIT, page=None) -> dict:
    """{"count", "facets": {facet: [(value, count, label)]}, "archived_hidden"} of a bound
    RepositoryFilter's result set, in one statement (core.facets) rather than one query per
    facet; "archived_hidden": how many archived repositories the filters hide (None when
    they say what to do with them). With `page` (core.facets.PageWanted), "page_ids" too:
    the ids of that page of the shown repositories, from the same statement."""
    hiding = filterset.with_archived is not None
    summary = summarize(
        filterset.with_archived if hiding else filterset.qs,
        columns=FACET_COLUMNS,
        lists={"topic": "topics"},
        mapped={
            # An owner by forge and path, as the owner filter reads it: two owners of the
            # same path on two forges are two values, never summed into one. One value per
            # owner: only the most counted owners are joined to their labels (`distinct`).
            "owner": (owners_by_forge_path(), {"owner": ("forge_path", "forge_path")}),
            # The body kept on each repository: the counted bodies joined once for both.
            "public_body": (
                bodies_with_ministry(),
                {
                    "ministry": ("ministry_slug", "ministry_name"),
                    "public_body": ("slug", "name"),
                },
            ),
        },
        distinct=("owner",),
        limit=limit,
        limits={"license": LICENSE_LIMIT},
        aside="is_archived" if hiding else None,
        page=page,
    )
    facets = summary.facets | {
        "license": license_facet(summary.facets["license"]),
        "swh": archive_facet(summary.facets["swh"]),
    }
    found = {"count": summary.count, "facets": facets, "archived_hidden": summary.aside}
    return found if page is None else found | {"page_ids": summary.page_ids}
