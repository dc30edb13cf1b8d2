import re
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.contrib.postgres.lookups import Unaccent
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Greatest, Lower, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.enums import (
    HARVESTED_KINDS,
    ArchiveState,
    DependencyScope,
    Ecosystem,
    ForgeKind,
    LibraryStatus,
    NameSource,
    OwnerKind,
    RunStatus,
    SaveRequestStatus,
    SaveTaskStatus,
)
from catalog.scoring import MAX_SCORE, checks_from_json, score_of
from catalog.search import search
from core.fields import modified_at, modified_index, optional_url, public_body_link
from core.search import clean_query, json_list_contains
from core.text import free_slug, strip_accents
from core.urls import cached_reverse

# The five criteria the editors check before a repository joins the Awesome selection.
AWESOME_CRITERIA = (
    "awesome_free_license",
    "awesome_maintained",
    "awesome_documented",
    "awesome_sponsored",
    "awesome_used_by_several",
)


def awesome_criterion(label, help_text) -> models.BooleanField:
    """One of AWESOME_CRITERIA: a box an editor ticks once they have checked it."""
    return models.BooleanField(label, default=False, help_text=help_text)


# A repository's last activity in SQL (Repository.last_activity_at in Python). Both operands
# are NULL together, so GREATEST never sees a lone NULL.
LAST_ACTIVITY = Greatest(Coalesce("pushed_at", "updated_at"), Coalesce("updated_at", "pushed_at"))

SOFTWARE_HERITAGE_BROWSE = "https://archive.softwareheritage.org/browse/origin/?origin_url="


def archive_swhid(row) -> str:
    """The citable identifier of a repository's archived copy (its snapshot, with its
    origin) from its archive_* values, or ""."""
    in_archive = row["archive_state"] in (ArchiveState.ARCHIVED, ArchiveState.OUTDATED)
    if not (in_archive and row["archive_snapshot"]):
        return ""
    return f"{row['archive_snapshot']};origin={row['archive_origin']}"


def software_heritage_url(web_url: str) -> str:
    """The page of a repository's origin in the Software Heritage archive."""
    return SOFTWARE_HERITAGE_BROWSE + quote(web_url, safe="")


# The "Potentiel de réutilisation" order (RepositoryQuerySet.by_score, the listing's sort).
SCORE_ORDER = ("-score", "-score_checkable", "-stars", "full_path")


def visible_original(prefix: str = "") -> Q:
    """A visible repository that is not a fork (through `prefix`, e.g. "repository__"):
    what dependencies, libraries and the archive count, since a fork repeats its upstream."""
    return Q(**{f"{prefix}gone_since__isnull": True, f"{prefix}is_fork": False})


def listing_index(name: str, *order):
    """An index on one sort of the repository listing (then full_path, its tie-break), over
    the rows it shows by default: visible and not archived."""
    return models.Index(
        *order, "full_path", name=name, condition=Q(gone_since__isnull=True, is_archived=False)
    )


# --- QuerySets -------------------------------------------------------------------------


class ForgeQuerySet(models.QuerySet):
    def with_visible_repositories(self):
        return self.filter(owners__repository_count__gt=0).distinct().order_by("host")

    def harvestable(self, *, on=None):
        """Active forges of a kind we harvest, not ignored as of `on` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(is_active=True, kind__in=HARVESTED_KINDS).exclude(ignored_since__lte=on)


class OwnerQuerySet(models.QuerySet):
    def harvestable(self, *, on=None):
        """Owners to harvest: active, on a harvestable forge, neither they nor it ignored."""
        on = on or timezone.localdate()
        return (
            self.filter(is_active=True, listed=True, forge__in=Forge.objects.harvestable(on=on))
            .exclude(ignored_since__lte=on)
            .select_related("forge")
        )

    def listed(self):
        """Owners with counted repositories (visible, not archived): those /organisations/
        lists (see OwnerFilter) and the home page counts."""
        return self.filter(repository_count__gt=0)

    def for_list(self):
        """What a listing or an export shows, with forge and public body, without the raw
        payloads."""
        return self.select_related("forge", "public_body").defer(
            "raw", "conditional_state", "forge__conditional_state"
        )

    def of_public_bodies(self, bodies):
        """Owners that belong to `bodies` (a queryset or ids): their own public body, or for
        an owner without one, the body of the forge it is on (a forge harvested whole)."""
        return self.filter(
            Q(public_body__in=bodies) | Q(public_body__isnull=True, forge__public_body__in=bodies)
        )

    def for_api(self):
        """An owner as the public API shows it, with its forge and public bodies."""
        return self.select_related("forge__public_body", "public_body").defer(
            "raw", "conditional_state", "forge__conditional_state"
        )

    def with_public_body(self):
        """Annotated with `body_slug`, `body_name`, `ministry_slug` and `ministry_name` of the
        body each owner belongs to (see of_public_bodies)."""
        own = Q(public_body__isnull=False)

        def pick(field):
            return Case(
                When(own, then=F(f"public_body__{field}")),
                default=F(f"forge__public_body__{field}"),
            )

        return self.annotate(
            body_slug=pick("slug"),
            body_name=pick("name"),
            ministry_slug=pick("ministry__slug"),
            ministry_name=pick("ministry__name"),
        )

    def matching(self, text: str):
        """Owners whose path, name or public body's name contains `text` (cleaned)."""
        return self.filter(
            Q(path__icontains=text) | Q(name__icontains=text) | Q(public_body__name__icontains=text)
        )


SLUG_BASE_LENGTH = 90


class PublicBodyQuerySet(models.QuerySet):
    def named(self):
        """Bodies a person can recognise: the only ones offered in pickers and listed."""
        return self.exclude(name="")

    def ministries(self):
        return self.filter(is_ministry=True)

    def search(self, text: str):
        """Named bodies whose name or acronym holds every word of `text`, whatever the
        accents and the case: the acronym itself first, then the names that start with it,
        then by name (accents aside: "École" among the E). Short words ("l’", "d’") are
        ignored; nothing when no word is left."""
        needle = strip_accents(clean_query(text)).lower()
        words = [word for word in re.findall(r"\w+", needle) if len(word) > 1]
        if not words:
            return self.none()
        needle = " ".join(needle.split())
        rows = self.named().annotate(
            plain_name=Lower(Unaccent("name")), plain_acronym=Lower(Unaccent("acronym"))
        )
        for word in words:
            rows = rows.filter(Q(plain_name__contains=word) | Q(plain_acronym__contains=word))
        rank = Case(
            When(plain_acronym=needle, then=Value(0)),
            When(plain_name__startswith=needle, then=Value(1)),
            default=Value(2),
        )
        return (
            rows.annotate(rank=rank).select_related("ministry").order_by("rank", "plain_name", "pk")
        )


# The columns a listing of repositories never shows (for_list defers publiccode too).
# How long a Software Heritage check stays fresh (catalog.services.archive).
ARCHIVE_RECHECK_AFTER = timedelta(days=7)

LIST_DEFERRED = (
    "raw",
    "publiccode_text",
    "codemeta",
    "score_checks",
    "search_vector",
    "languages",
    "publiccode_errors",
    "codemeta_errors",
    "owner__raw",
    "owner__conditional_state",
    "forge__conditional_state",
)


# What a repository card shows (RepositoryQuerySet.for_cards): any other column read from a
# card would cost a query per card (tests/catalog/test_pages.py counts them).
CARD_COLUMNS = (
    "forge__host",
    "full_path",
    "description",
    "license_spdx",
    "language",
    "is_archived",
    "is_fork",
    "score",
    "score_checkable",
    "stars",
    "updated_at",
    "awesome_checked_at",
    *AWESOME_CRITERIA,
)


# What the public API shows of a repository (RepositoryQuerySet.for_api), with the forge's
# host and the public body of the owner (its own, else its forge's: Owner.body). A page of
# 1,000 rows read ~150 columns of six tables a row, 30 of them timestamps (~6 µs each to
# load through Django's time zone loader); any other column read by a serializer would cost
# a query per row (tests/api/test_endpoints.py counts them).
API_COLUMNS = (
    "full_path",
    "name",
    "web_url",
    "description",
    "homepage",
    "default_branch",
    "language",
    "topics",
    "license_spdx",
    "license_reported",
    "stars",
    "forks",
    "open_issues",
    "is_fork",
    "is_archived",
    "is_template",
    "awesome_checked_at",
    *AWESOME_CRITERIA,
    "created_at",
    "updated_at",
    "pushed_at",
    "first_seen_at",
    "modified_at",
    "score",
    "score_checkable",
    "score_checks",
    "publiccode",
    "publiccode_text",
    "publiccode_valid",
    "archive_state",
    "archive_origin",
    "archive_snapshot",
    "archive_visit_at",
    "archive_visit_status",
    "archive_checked_at",
    "forge__host",
    "owner__path",
    # Not shown, but an owner's str() and address read it.
    "owner__forge__host",
    *(
        f"{body}__{field}"
        for body in ("owner__public_body", "owner__forge__public_body")
        for field in ("slug", "name")
    ),
)


class RepositoryQuerySet(models.QuerySet):
    def visible(self):
        """What the public sees: never the repositories the forge no longer lists."""
        return self.filter(gone_since__isnull=True)

    def originals(self):
        """Visible and not forks (visible_original)."""
        return self.filter(visible_original())

    def counted(self):
        """Visible and not archived: what a listing shows by default, and what every
        number of "dépôts" counts (home, listings, facets, organisations, bodies); the
        archived ones are counted apart, as such."""
        return self.visible().filter(is_archived=False)

    def awesome(self):
        """Checked by the editors on the five Awesome criteria (see catalog.awesome)."""
        return self.filter(
            awesome_checked_at__isnull=False,
            **dict.fromkeys(AWESOME_CRITERIA, True),
        )

    def search(self, text):
        """Narrowed to a full-text search, annotated with `rank` (see catalog.search)."""
        return search(self, text)

    def for_list(self):
        """What a listing shows, with forge and owner, without the heavy JSON columns."""
        return self.select_related("forge", "owner", "owner__public_body").defer(
            "publiccode", *LIST_DEFERRED
        )

    def for_cards(self):
        """Only what a repository card reads (components/repository_card.html): twenty
        cards read 20 columns of one joined table rather than ~130 of four (3 of the ~7 ms
        of Python a page of results cost in reading its rows, ADR 13)."""
        return self.select_related("forge").only(*CARD_COLUMNS)

    def for_awesome(self):
        """The Awesome page's cards: a listing's columns and the publiccode.yml, which gives
        the logo, the long description, the users and the funders (catalog.awesome)."""
        return self.select_related("forge", "owner", "owner__public_body").defer(*LIST_DEFERRED)

    def with_public_body(self):
        """Annotated like OwnerQuerySet.with_public_body, from the body kept on each
        repository (its owner's, else its forge's: Repository.public_body)."""
        return self.annotate(
            body_slug=F("public_body__slug"),
            body_name=F("public_body__name"),
            ministry_slug=F("public_body__ministry__slug"),
            ministry_name=F("public_body__ministry__name"),
        )

    def for_api(self):
        """What the public API shows of each repository (API_COLUMNS): a listing's columns,
        the score's checks and the publiccode.yml, the owner's public body, else its forge's
        (an owner of a forge harvested whole: each cost a query before)."""
        return self.select_related("forge", "owner__public_body", "owner__forge__public_body").only(
            *API_COLUMNS
        )

    def for_detail(self):
        return self.select_related(
            "forge__public_body__ministry", "owner__public_body__ministry"
        ).defer(
            "raw",
            "publiccode_text",
            "search_vector",
            "owner__raw",
            "owner__conditional_state",
            "forge__conditional_state",
        )

    def by_score(self):
        """Best reuse potential first: the score over the checked criteria, then the points
        that could be checked (more evidence first), then stars (see catalog.scoring)."""
        return self.order_by(*SCORE_ORDER)

    def newest_first(self):
        # A harvest run stamps all its new rows alike: the id breaks ties, on the index.
        return self.order_by("-first_seen_at", "-pk")

    def of_software(self, *, name: str, source_repository_id=None):
        """The repositories of a SILL software: its source repository, and those whose
        publiccode.yml names it (on an index of the upper-cased name), best score first."""
        related = Q(publiccode__name__iexact=name)
        if source_repository_id:
            related |= Q(pk=source_repository_id)
        return self.filter(related).by_score()

    def archive_due(self, now):
        """Visible repositories whose Software Heritage state should be checked again:
        never checked, checked more than a week ago, or pushed since the archive's last
        visit; the never checked first, then the longest unchecked."""
        week_ago = now - ARCHIVE_RECHECK_AFTER
        return (
            self.visible()
            .filter(
                Q(archive_checked_at__isnull=True)
                | Q(archive_checked_at__lt=week_ago)
                | Q(pushed_at__gt=F("archive_visit_at"))
            )
            .order_by(F("archive_checked_at").asc(nulls_first=True), "pk")
        )

    def to_archive(self):
        """Visible originals (not forks) that the archive lacks or holds an old copy of:
        what the nightly option asks Software Heritage to save."""
        return self.originals().filter(
            archive_state__in=[ArchiveState.ABSENT, ArchiveState.OUTDATED]
        )

    def similar_to(self, repository):
        """Same owner, or same language and a shared topic; best score first."""
        shared_topic = Q()
        for topic in repository.topics[:5]:
            shared_topic |= json_list_contains("topics", topic)
        related = Q(owner=repository.owner_id)
        if repository.language and repository.topics:
            related |= Q(language=repository.language) & shared_topic
        elif repository.topics:
            related |= shared_topic
        return (
            self.filter(related, is_archived=False).exclude(pk=repository.pk).for_list().by_score()
        )


class DependencyQuerySet(models.QuerySet):
    def of_visible_originals(self):
        """Declared by visible repositories that are not forks: what the dependency pages
        count (a fork repeats its upstream's manifests)."""
        return self.filter(visible_original("repository__"))

    def in_scope(self, scope: str):
        """Runtime dependencies only, or every scope when `scope` is "all"."""
        return self if scope == "all" else self.filter(scope=DependencyScope.RUNTIME)

    def ranked(self):
        """One row per package (ecosystem, name, purl) with `repositories`, the number of
        distinct repositories declaring it, most used first."""
        return (
            self.values("ecosystem", "name", "purl")
            .annotate(repositories=models.Count("repository", distinct=True))
            .order_by("-repositories", "ecosystem", "name")
        )

    def requirement_spread(self):
        """[{requirement, repositories}] of the rows: how many repositories write each
        requirement, the most written first."""
        return (
            self.values("requirement")
            .annotate(repositories=models.Count("repository", distinct=True))
            .order_by("-repositories", "requirement")
        )

    def for_list(self):
        """A listing's rows are the ranked() ones, already the columns it shows."""
        return self

    def for_repository(self):
        return self.order_by("manifest", "scope", "name")


class PackageUsageQuerySet(models.QuerySet):
    def ranked(self, scope: str = ""):
        """The rows of DependencyQuerySet.ranked() as last counted: `repositories` at
        runtime, or over every scope when `scope` is "all"."""
        if scope == "all":
            rows, count = self, "every_count"
        else:
            rows, count = self.filter(runtime_count__gt=0), "runtime_count"
        return rows.values("ecosystem", "name", "purl", repositories=models.F(count)).order_by(
            "-repositories", "ecosystem", "name"
        )

    def for_list(self):
        """A listing's rows are the ranked() ones, already the columns it shows."""
        return self


class ManifestQuerySet(models.QuerySet):
    def library_candidates(self):
        """Manifests that name a package they publish, not private (npm `private`, Cargo
        `publish = false`, PyPI's "Private ::" classifier), of visible repositories that
        are not forks: the packages to look up on their registries (ADR 0021)."""
        return self.exclude(package_name="").filter(visible_original("repository__"), private=False)


# How long a registry's answer about a package stays fresh (catalog.services.libraries).
LIBRARY_RECHECK_AFTER = timedelta(days=7)
# The weekly check must find last week's packages due although it starts a little earlier
# than it did (queueing, a longer run before it): without slack they would wait two weeks.
LIBRARY_RECHECK_SLACK = timedelta(hours=12)


class LibraryQuerySet(models.QuerySet):
    def published(self):
        """The packages a registry says come from a catalogued repository (ADR 0021), that
        repository still visible and not a fork: what /bibliotheques/ lists."""
        return self.filter(
            visible_original("repository__"),
            status=LibraryStatus.MATCHED,
            repository__isnull=False,
        )

    def with_dependents(self):
        """Annotated with `dependents`: the visible repositories, not forks, that declare
        the package (any scope), as last counted after a harvest (PackageUsage): counting
        them per row would group tens of thousands of Dependency rows for a popular one."""
        counted = PackageUsage.objects.filter(purl=OuterRef("purl")).values("every_count")[:1]
        return self.annotate(dependents=Coalesce(Subquery(counted), 0))

    def for_list(self):
        """A listing's rows: the publishing repository, its forge, owner and public body."""
        return self.select_related(
            "repository__forge", "repository__owner__public_body__ministry"
        ).only(
            *LIBRARY_LIST_FIELDS,
            "repository__name",
            "repository__full_path",
            "repository__web_url",
            "repository__forge__host",
            "repository__owner__path",
            "repository__owner__name",
            "repository__owner__forge_id",
            "repository__owner__public_body__name",
            "repository__owner__public_body__slug",
            "repository__owner__public_body__ministry__name",
            "repository__owner__public_body__ministry__slug",
        )

    def due(self, now):
        """Never checked, or checked more than LIBRARY_RECHECK_AFTER (less the slack) ago."""
        since = now - (LIBRARY_RECHECK_AFTER - LIBRARY_RECHECK_SLACK)
        return self.filter(Q(checked_at__isnull=True) | Q(checked_at__lt=since))


LIBRARY_LIST_FIELDS = (
    "ecosystem",
    "name",
    "purl",
    "registry_url",
    "latest_version",
    "source_url",
    "status",
    "checked_at",
    "repository",
)


class HarvestRunQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by("-started_at")


# --- Models ----------------------------------------------------------------------------


class PublicBody(models.Model):
    """A ministry, agency, university, local authority… that publishes or uses code."""

    pso_id = models.CharField(
        _("identifiant service-public.fr"), max_length=64, unique=True, null=True, blank=True
    )
    name = models.CharField(_("nom"), max_length=300, blank=True)
    # Where the name comes from: a better source replaces it, a lesser one never does
    # (catalog.services.public_bodies).
    name_source = models.CharField(
        _("origine du nom"), max_length=16, choices=NameSource.choices, blank=True
    )
    # In the page's address (/organismes/<slug>/); derived from the name, unique, empty (NULL)
    # while the body has no name.
    slug = models.SlugField(_("adresse"), max_length=100, unique=True, null=True, blank=True)
    acronym = models.CharField(_("sigle"), max_length=50, blank=True)
    # ProConnect gives an agent's SIRET; its first nine digits (the SIREN) name the body.
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, db_index=True)
    # The principal attachment in the State's directory ("Service Fils" links).
    parent = models.ForeignKey(
        "self",
        verbose_name=_("rattaché à"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    # A ministry or one of the top institutions of top_organizations.yml: its own ministry.
    is_ministry = models.BooleanField(_("ministère"), default=False, db_index=True)
    # The first ancestor (or itself) that is a ministry; empty when the directory is silent.
    ministry = models.ForeignKey(
        "self",
        verbose_name=_("ministère"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ministry_bodies",
        limit_choices_to={"is_ministry": True},
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    modified_at = modified_at()

    objects = PublicBodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisme public")
        verbose_name_plural = _("organismes publics")
        ordering = ["name", "pso_id"]
        indexes = [modified_index("catalog_body")]

    def __str__(self):
        # Never an identifier: a person cannot read one.
        return self.name or gettext("Organisme non identifié")

    def save(self, *args, **kwargs):
        # A named body always has an address, however it was created (admin, import, shell).
        if self.name and not self.slug:
            self.slug = self.free_slug(self.name, pk=self.pk)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "slug"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """Its page, /ministeres/<slug>/ for a ministry; "" for a body without a name."""
        if not self.slug:
            return ""
        return reverse("ministry" if self.is_ministry else "public_body", args=[self.slug])

    @classmethod
    def free_slug(cls, name: str, *, pk=None) -> str | None:
        """The address of a body named `name`: its slug, with -2, -3… when another body has
        it; None for a body without a name (it has no page)."""
        if not name:
            return None
        others = cls.objects.exclude(pk=pk)
        return free_slug(name, taken_in=others, max_length=SLUG_BASE_LENGTH, fallback="organisme")


class HarvestState(models.Model):
    """What a harvest remembers between runs, for a forge harvested whole or an owner."""

    last_attempt_at = models.DateTimeField(_("dernière tentative"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("dernier succès"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    # Conditional-request state: {url: {"etag": "...", "ids": [forge ids listed]}}.
    conditional_state = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class Forge(HarvestState):
    host = models.CharField(_("hôte"), max_length=255, unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=ForgeKind.choices)
    api_url = models.URLField(_("URL de l’API"), max_length=500)
    harvest_whole = models.BooleanField(
        _("collectée en entier"),
        default=False,
        help_text=_("Forge dédiée au code public : tous ses dépôts sont collectés."),
    )
    pso_id = models.CharField(_("identifiant service-public.fr"), max_length=64, blank=True)
    public_body = public_body_link(related_name="forges")
    floss_policy = optional_url(_("politique logiciels libres"))
    ospo_url = optional_url(_("OSPO"))
    ignored_since = models.DateField(_("ignorée depuis"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    modified_at = modified_at()

    objects = ForgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("forge")
        verbose_name_plural = _("forges")
        ordering = ["host"]
        indexes = [modified_index("catalog_forge")]

    def __str__(self):
        return self.host

    @staticmethod
    def kind_choices(forges) -> list[tuple[str, str]]:
        """The (value, label) kinds of `forges` already fetched, in ForgeKind order."""
        kinds = {forge.kind for forge in forges}
        return [(value, label) for value, label in ForgeKind.choices if value in kinds]

    @staticmethod
    def default_api_url(host: str, kind: str) -> str:
        if kind == ForgeKind.GITHUB:
            return "https://api.github.com" if host == "github.com" else f"https://{host}/api/v3"
        if kind == ForgeKind.GITLAB:
            return f"https://{host}/api/v4"
        if kind in (ForgeKind.GITEA, ForgeKind.FORGEJO, ForgeKind.GOGS):
            return f"https://{host}/api/v1"
        return f"https://{host}"


class Owner(HarvestState):
    """An organisation, user account or group (GitLab subgroups by full path) on a forge."""

    forge = models.ForeignKey(Forge, on_delete=models.CASCADE, related_name="owners")
    path = models.CharField(_("chemin"), max_length=255)
    kind = models.CharField(_("type"), max_length=16, choices=OwnerKind.choices, blank=True)
    # Listed in the accounts file (harvested on its own) rather than met in a whole-forge run.
    listed = models.BooleanField(_("listé"), default=True)
    remote_id = models.CharField(_("identifiant sur la forge"), max_length=64, blank=True)
    name = models.CharField(_("nom affiché"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=1000, blank=True)
    website = models.CharField(_("site web"), max_length=500, blank=True)
    email = models.CharField(_("courriel"), max_length=254, blank=True)
    location = models.CharField(_("localisation"), max_length=255, blank=True)
    forge_created_at = models.DateTimeField(_("créé sur la forge le"), null=True, blank=True)
    public_body = public_body_link(related_name="owners")
    pso_id = models.CharField(_("identifiant service-public.fr"), max_length=64, blank=True)
    floss_policy = optional_url(_("politique logiciels libres"))
    ospo_url = optional_url(_("OSPO"))
    ignored_since = models.DateField(_("ignoré depuis"), null=True, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    raw = models.JSONField(_("réponse brute de la forge"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Denormalised from the counted repositories (visible, not archived: see
    # RepositoryQuerySet.counted) by catalog.services.counts, so that listing 20,000 owners
    # sorted by size does not aggregate 100,000 rows per request.
    repository_count = models.PositiveIntegerField(_("dépôts"), default=0, db_index=True)
    star_count = models.PositiveIntegerField(_("étoiles"), default=0)
    last_activity_at = models.DateTimeField(_("dernière activité"), null=True, blank=True)
    modified_at = modified_at()

    objects = OwnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        ordering = ["forge__host", "path"]
        constraints = [
            models.UniqueConstraint(
                "forge", Lower("path"), name="catalog_owner_forge_path_ci_unique"
            ),
        ]
        indexes = [modified_index("catalog_owner")]

    def __str__(self):
        return f"{self.forge.host}/{self.path}"

    def get_absolute_url(self):
        return cached_reverse("owners:detail", self.forge.host, self.path)

    @property
    def body(self):
        """The public body the owner belongs to: its own, else its forge's (a forge harvested
        whole), as OwnerQuerySet.of_public_bodies counts it."""
        return self.public_body or self.forge.public_body


class Repository(models.Model):
    forge = models.ForeignKey(Forge, on_delete=models.CASCADE, related_name="repositories")
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="repositories")
    # The owner's public body, else its forge's (Owner.body), kept by
    # database triggers whatever writes the owner, the forge or the repository (migration
    # catalog 0021): the listing's ministry and public body facets and filters read the
    # repository table alone (ADR 13). Never written by the application; DO_NOTHING since
    # the owner's and forge's SET_NULL, run first, make the triggers move these rows.
    public_body = models.ForeignKey(
        "catalog.PublicBody",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
        verbose_name=_("organisme public (du propriétaire ou de la forge)"),
    )
    # The forge's own id survives renames and transfers: the natural key.
    remote_id = models.CharField(_("identifiant sur la forge"), max_length=255)
    full_path = models.CharField(_("chemin complet"), max_length=500)
    name = models.CharField(_("nom"), max_length=255)
    web_url = models.URLField(_("adresse"), max_length=1000)
    description = models.TextField(_("description"), blank=True)
    homepage = models.CharField(_("site web"), max_length=1000, blank=True)
    default_branch = models.CharField(_("branche par défaut"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("créé le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("mis à jour le"), null=True, blank=True)
    pushed_at = models.DateTimeField(_("dernier envoi le"), null=True, blank=True)
    stars = models.PositiveIntegerField(_("étoiles"), default=0)
    forks = models.PositiveIntegerField(_("copies (forks)"), default=0)
    open_issues = models.PositiveIntegerField(_("tickets ouverts"), default=0)
    watchers = models.PositiveIntegerField(_("abonnés"), default=0)
    is_fork = models.BooleanField(_("copie (fork)"), default=False)
    is_archived = models.BooleanField(_("archivé"), default=False)
    is_template = models.BooleanField(_("modèle"), default=False)
    license_reported = models.CharField(_("licence déclarée"), max_length=255, blank=True)
    license_spdx = models.CharField(_("licence SPDX"), max_length=255, default="NOASSERTION")
    language = models.CharField(_("langage principal"), max_length=100, blank=True)
    languages = models.JSONField(_("langages"), null=True, blank=True)
    topics = models.JSONField(_("thématiques"), default=list, blank=True)
    # The canonical names found at the root (catalog.forges.base.ROOT_FILE_PATTERNS);
    # None when the root was never listed (a dump, a failed inspection): unknown, not empty.
    root_files = models.JSONField(_("fichiers à la racine"), null=True, blank=True, default=None)
    publiccode = models.JSONField(_("publiccode.yml"), null=True, blank=True)
    # The file as the forge served it (cleaned, at most catalog.metadata.MAX_SIZE): what
    # reusers of the API get besides the parsed document.
    publiccode_text = models.TextField(_("publiccode.yml (texte)"), blank=True)
    publiccode_errors = models.JSONField(default=list, blank=True)
    publiccode_valid = models.BooleanField(_("publiccode.yml valide"), default=False)
    codemeta = models.JSONField(_("codemeta.json"), null=True, blank=True)
    codemeta_errors = models.JSONField(default=list, blank=True)
    # The activity date the root files were last inspected at: re-inspect when it moves.
    inspected_activity_at = models.DateTimeField(null=True, blank=True)
    # What Software Heritage holds, as catalog.services.archive last checked it.
    archive_state = models.CharField(
        _("archivage Software Heritage"),
        max_length=24,
        choices=ArchiveState.choices,
        default=ArchiveState.UNKNOWN,
    )
    archive_origin = models.URLField(_("origine dans l’archive"), max_length=1000, blank=True)
    archive_visit_at = models.DateTimeField(
        _("dernière visite de l’archive"), null=True, blank=True
    )
    archive_visit_status = models.CharField(_("statut de la visite"), max_length=16, blank=True)
    archive_snapshot = models.CharField(_("instantané (SWHID)"), max_length=60, blank=True)
    archive_checked_at = models.DateTimeField(_("archivage vérifié le"), null=True, blank=True)
    # What an older source said (the 2021 catalogue's flag), dated by archive_checked_at
    # while the state is still unknown: never shown as a fresh fact.
    archive_reported = models.BooleanField(_("archivé selon une source antérieure"), null=True)
    # The commit at the head of the default branch when the harvest knows it: the archive's
    # freshness is then asked in one known/ call per 1,000 repositories.
    head_commit = models.CharField(_("dernier commit"), max_length=64, blank=True)
    # The head commit whose manifests the harvest last read: they are read again only when
    # the head moves (catalog.services.harvest), not when only the activity date does.
    dependencies_commit = models.CharField(max_length=64, blank=True)
    # Out of 100 over the checked criteria only; score_checkable says how many of the 100
    # points could be checked (see catalog.scoring).
    score = models.PositiveSmallIntegerField(_("potentiel de réutilisation"), default=0)
    score_checkable = models.PositiveSmallIntegerField(_("points vérifiables"), default=100)
    score_checks = models.JSONField(default=list, blank=True)
    # PostgreSQL full-text vector (name > topics > description > owner), kept up to date by
    # catalog.search.update_search_vectors after each write.
    search_vector = SearchVectorField(null=True, editable=False)
    # Hash of the normalised listing fields: an unchanged repository is not written again.
    fingerprint = models.CharField(max_length=64, blank=True)
    raw = models.JSONField(_("réponse brute de la forge"), default=dict, blank=True)
    first_seen_at = models.DateTimeField(_("vu la première fois le"), default=timezone.now)
    # Last time the harvest wrote this row; an unchanged repository's owner
    # `last_success_at` says it was still listed then.
    last_seen_at = models.DateTimeField(_("vu le"), default=timezone.now)
    gone_since = models.DateTimeField(_("disparu depuis"), null=True, blank=True)
    modified_at = modified_at()

    # The Awesome selection: the editors' own fields, never written by the harvest.
    awesome_checked_at = models.DateField(_("vérifié Awesome le"), null=True, blank=True)
    awesome_free_license = awesome_criterion(
        _("licence libre"), _("Publié sous une licence approuvée par la FSF ou l’OSI.")
    )
    awesome_maintained = awesome_criterion(
        _("maintenu"), _("Activement maintenu par des personnes que l’on peut contacter.")
    )
    awesome_documented = awesome_criterion(_("documenté"), _("Bien documenté."))
    awesome_sponsored = awesome_criterion(
        _("soutenu par un organisme public"),
        _("Financé ou porté par au moins une administration."),
    )
    awesome_used_by_several = awesome_criterion(
        _("utilisé par plusieurs administrations"),
        _("Utilisé ou déployé par plusieurs administrations."),
    )
    awesome_note = models.TextField(_("note Awesome"), blank=True)

    objects = RepositoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("dépôt")
        verbose_name_plural = _("dépôts")
        ordering = ["full_path"]
        constraints = [
            models.UniqueConstraint(fields=["forge", "remote_id"], name="catalog_repo_forge_id"),
        ]
        indexes = [
            models.Index(fields=["owner", "gone_since"], name="catalog_repo_owner_gone"),
            modified_index("catalog_repo"),
            models.Index(fields=["forge", "full_path"], name="catalog_repo_forge_path"),
            # A SILL software's page finds the repositories whose publiccode.yml names it.
            models.Index(
                Upper(Cast(KeyTextTransform("name", "publiccode"), models.TextField())),
                name="catalog_repo_publiccode_name",
            ),
            # The default listing: visible, not archived, best score first (by_score).
            models.Index(
                F("score").desc(),
                F("score_checkable").desc(),
                F("stars").desc(),
                "full_path",
                name="catalog_repo_listing_score",
                condition=Q(gone_since__isnull=True, is_archived=False),
            ),
            models.Index(
                F("first_seen_at").desc(),
                F("id").desc(),
                name="catalog_repo_newest",
                condition=Q(gone_since__isnull=True),
            ),
            # The other sorts of the listing, and the language and licence filters (written
            # UPPER(x) = UPPER(%s) by iexact), each on an index: see ADR 0013.
            listing_index("catalog_repo_listing_updated", F("updated_at").desc()),
            listing_index("catalog_repo_listing_stars", F("stars").desc()),
            listing_index("catalog_repo_listing_forks", F("forks").desc()),
            listing_index("catalog_repo_listing_name", "name"),
            listing_index("catalog_repo_listing_created", F("created_at").desc()),
            models.Index(
                Upper("language"),
                name="catalog_repo_language_ci",
                condition=Q(gone_since__isnull=True),
            ),
            models.Index(
                Upper("license_spdx"),
                name="catalog_repo_license_ci",
                condition=Q(gone_since__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.forge.host}/{self.full_path}"

    def get_absolute_url(self):
        return cached_reverse("catalog:detail", self.forge.host, self.full_path)

    @property
    def last_activity_at(self):
        return max(filter(None, [self.pushed_at, self.updated_at]), default=None)

    @property
    def is_awesome(self):
        """The five criteria ticked and the check dated (as RepositoryQuerySet.awesome)."""
        return self.awesome_checked_at is not None and all(
            getattr(self, field) for field in AWESOME_CRITERIA
        )

    @property
    def publiccode_summary(self):
        return (self.publiccode or {}).get("_summary") or {}

    def explained_checks(self):
        """The stored score checks; none when the stored value is malformed, which must
        not take the repository page down."""
        try:
            return checks_from_json(self.score_checks or [])
        except ValueError:
            return []

    @property
    def score_is_partial(self):
        """Some criteria could not be checked: the score is over fewer than 100 points."""
        return self.score_checkable < MAX_SCORE

    def explained_score(self):
        """The stored checks with their points earned and checkable (catalog.scoring.Score)."""
        return score_of(self.explained_checks())

    def language_shares(self):
        """[(language, percent)] of the breakdown, largest first."""
        total = sum(v for v in (self.languages or {}).values() if isinstance(v, (int, float)))
        if not total:
            return []
        shares = [(name, round(100 * value / total, 1)) for name, value in self.languages.items()]
        return sorted(shares, key=lambda item: -item[1])

    @property
    def software_heritage_url(self):
        """The archive's page of the repository's origin (the one found archived, else
        the web address)."""
        return software_heritage_url(self.archive_origin or self.web_url)

    @property
    def is_in_archive(self):
        return self.archive_state in (ArchiveState.ARCHIVED, ArchiveState.OUTDATED)

    @property
    def archive_swhid(self):
        fields = ("archive_state", "archive_snapshot", "archive_origin")
        return archive_swhid({name: getattr(self, name) for name in fields})

    def archive_origins(self) -> list[str]:
        """The URLs Software Heritage may know the repository under, the likelier first:
        GitHub repositories are archived under their web address, GitLab, Gitea, Forgejo
        and Gogs ones under their clone address (the web address + .git)."""
        web = self.web_url.rstrip("/")
        if web.endswith(".git"):
            web = web[:-4]
        if self.forge.kind == ForgeKind.GITHUB:
            return [web, f"{web}.git"]
        return [f"{web}.git", web]


class SaveRequestQuerySet(models.QuerySet):
    def queued(self):
        return self.filter(request_status=SaveRequestStatus.QUEUED).order_by("created_at", "pk")

    def unfinished(self):
        """Sent and still moving on Software Heritage's side: to follow."""
        return self.filter(
            request_status__in=[SaveRequestStatus.ACCEPTED, SaveRequestStatus.PENDING],
            swh_id__isnull=False,
        ).exclude(task_status__in=[SaveTaskStatus.SUCCEEDED, SaveTaskStatus.FAILED])

    def open(self):
        """Queued or unfinished: a repository with one gets no second request."""
        return self.queued() | self.unfinished()


class SaveRequest(models.Model):
    """A Software Heritage "Save Code Now" request for one repository, followed to its end.

    Editors queue them (admin action, or the nightly option); catalog.tasks sends the
    queued ones within the hourly budget and follows the sent ones until the archive's
    task succeeds or fails.
    """

    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="save_requests"
    )
    origin_url = models.URLField(_("origine"), max_length=1000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    swh_id = models.BigIntegerField(_("numéro chez Software Heritage"), null=True, blank=True)
    request_status = models.CharField(
        _("demande"),
        max_length=16,
        choices=SaveRequestStatus.choices,
        default=SaveRequestStatus.QUEUED,
    )
    task_status = models.CharField(
        _("archivage"), max_length=20, choices=SaveTaskStatus.choices, blank=True
    )
    visit_status = models.CharField(_("statut de la visite"), max_length=16, blank=True)
    visit_at = models.DateTimeField(_("visite le"), null=True, blank=True)
    snapshot = models.CharField(_("instantané (SWHID)"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    followed_at = models.DateTimeField(_("suivi le"), null=True, blank=True)

    objects = SaveRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande d’archivage")
        verbose_name_plural = _("demandes d’archivage")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["request_status", "task_status"], name="catalog_save_status"),
        ]

    def __str__(self):
        return self.origin_url


class HarvestRun(models.Model):
    """One harvest of one owner, or of a whole forge, with what it saw and did."""

    forge = models.ForeignKey(Forge, on_delete=models.CASCADE, related_name="harvest_runs")
    owner = models.ForeignKey(
        Owner, null=True, blank=True, on_delete=models.CASCADE, related_name="harvest_runs"
    )
    started_at = models.DateTimeField(_("début"), default=timezone.now)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    complete = models.BooleanField(_("liste complète"), default=False)
    seen = models.PositiveIntegerField(_("vus"), default=0)
    created = models.PositiveIntegerField(_("créés"), default=0)
    updated = models.PositiveIntegerField(_("mis à jour"), default=0)
    unchanged = models.PositiveIntegerField(_("inchangés"), default=0)
    gone = models.PositiveIntegerField(_("disparus"), default=0)
    requests = models.PositiveIntegerField(_("requêtes HTTP"), default=0)
    not_modified = models.PositiveIntegerField(_("réponses 304"), default=0)
    rate_limit_waits = models.PositiveIntegerField(_("attentes de limite"), default=0)
    errors = models.JSONField(_("erreurs"), default=list, blank=True)

    objects = HarvestRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("collecte")
        verbose_name_plural = _("collectes")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "started_at"], name="catalog_run_status")]

    def __str__(self):
        target = self.owner or self.forge
        return f"{target} — {self.started_at:%Y-%m-%d %H:%M}"


class Manifest(models.Model):
    """A package manifest of a repository as the harvest last read it (ADR 0020). A file
    that could not be read keeps its repository's previous Dependency rows; its notes are in
    `errors`."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="manifests")
    path = models.CharField(_("chemin"), max_length=500)
    ecosystem = models.CharField(_("écosystème"), max_length=20, choices=Ecosystem.choices)
    # What the manifest publishes, when it names a package (the next layer: libraries
    # published by administrations).
    package_name = models.CharField(_("paquet publié"), max_length=255, blank=True)
    private = models.BooleanField(_("privé"), default=False)
    errors = models.JSONField(_("erreurs"), default=list, blank=True)
    parsed_at = models.DateTimeField(_("lu le"), default=timezone.now)

    objects = ManifestQuerySet.as_manager()

    class Meta:
        verbose_name = _("manifeste")
        verbose_name_plural = _("manifestes")
        ordering = ["repository", "path"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "path"], name="catalog_manifest_unique_path"
            )
        ]

    def __str__(self):
        return self.path


class Dependency(models.Model):
    """A package a repository's manifest declares, with its scope (ADR 0020)."""

    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="dependencies"
    )
    # The path of the manifest (Manifest.path) that declares it.
    manifest = models.CharField(_("manifeste"), max_length=500)
    ecosystem = models.CharField(_("écosystème"), max_length=20, choices=Ecosystem.choices)
    name = models.CharField(_("nom"), max_length=255)
    purl = models.CharField(_("package URL"), max_length=500)
    requirement = models.CharField(_("version demandée"), max_length=255, blank=True)
    scope = models.CharField(_("portée"), max_length=12, choices=DependencyScope.choices)

    objects = DependencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("dépendance")
        verbose_name_plural = _("dépendances")
        ordering = ["repository", "manifest", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "manifest", "purl", "scope"],
                name="catalog_dependency_unique",
            )
        ]
        indexes = [
            models.Index(fields=["purl", "scope"], name="catalog_dependency_purl"),
            # A package's page (/dependances/<ecosystem>/<name>/).
            models.Index(fields=["ecosystem", "name"], name="catalog_dependency_package"),
        ]

    def __str__(self):
        return self.purl


class PackageUsage(models.Model):
    """How many repositories declare each package, counted over every Dependency row of the
    visible originals (DependencyQuerySet.of_visible_originals) by
    catalog.services.package_usage after the catalogue changes: /dependances/ without a
    public body filter reads it, as a grouping over millions of rows costs seconds."""

    ecosystem = models.CharField(max_length=20, choices=Ecosystem.choices)
    name = models.CharField(max_length=255)
    purl = models.CharField(max_length=500)
    # Distinct repositories declaring it at runtime, and in any scope.
    runtime_count = models.PositiveIntegerField(default=0)
    every_count = models.PositiveIntegerField(default=0)

    objects = PackageUsageQuerySet.as_manager()

    class Meta:
        verbose_name = _("usage d’un paquet")
        verbose_name_plural = _("usages des paquets")
        indexes = [
            models.Index(
                models.F("runtime_count").desc(), "ecosystem", "name", name="catalog_usage_runtime"
            ),
            models.Index(
                models.F("every_count").desc(), "ecosystem", "name", name="catalog_usage_every"
            ),
            # A library's dependents (LibraryQuerySet.with_dependents).
            models.Index(fields=["purl"], name="catalog_usage_purl"),
        ]
        # One row per package; the sitemap walks it in this order.
        constraints = [
            models.UniqueConstraint(
                fields=["ecosystem", "name", "purl"], name="catalog_usage_unique_package"
            )
        ]

    def __str__(self):
        return self.purl


class Library(models.Model):
    """A package that a repository's manifest says it publishes (Manifest.package_name),
    with what its registry last said of it: its source repository, its latest version
    (catalog.services.libraries, ADR 0021). Only MATCHED rows are shown as published."""

    ecosystem = models.CharField(_("écosystème"), max_length=20, choices=Ecosystem.choices)
    # Normalised as the registry compares names (as Dependency.name).
    name = models.CharField(_("nom"), max_length=255)
    purl = models.CharField(_("package URL"), max_length=500)
    # The package's public page on its registry (catalog.manifests.registry_url).
    registry_url = models.URLField(_("page sur le registre"), max_length=1000, blank=True)
    latest_version = models.CharField(_("dernière version"), max_length=100, blank=True)
    status = models.CharField(
        _("statut"),
        max_length=16,
        choices=LibraryStatus.choices,
        default=LibraryStatus.UNCHECKED,
    )
    # The catalogued repository the registry names as the package's source (MATCHED only).
    repository = models.ForeignKey(
        Repository,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="libraries",
        verbose_name=_("dépôt source"),
    )
    # The source URL as the registry gave it (cleaned): the matched one, or the one that
    # points elsewhere.
    source_url = models.CharField(_("dépôt source selon le registre"), max_length=1000, blank=True)
    checked_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    etag = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    first_seen_at = models.DateTimeField(_("vu la première fois le"), default=timezone.now)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name = _("bibliothèque")
        verbose_name_plural = _("bibliothèques")
        ordering = ["ecosystem", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ecosystem", "name"], name="catalog_library_unique")
        ]
        indexes = [
            models.Index(fields=["status", "repository"], name="catalog_library_status"),
            models.Index(fields=["checked_at"], name="catalog_library_checked"),
        ]

    def __str__(self):
        return f"{self.ecosystem}:{self.name}"
