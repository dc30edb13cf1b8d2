from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import modified_at, modified_index, optional_link, optional_url, user_link
from core.search import clean_query, matched_in
from moderation.models import Moderated, ModeratedQuerySet, ModerationStatus
from sill.enums import DeclarationKind, SoftwareStatus

# Paths under /sill/ that are pages, not software.
RESERVED_SLUGS = frozenset({"proposer", "propositions", "declarations", "instances"})


def unlisted_public_body() -> models.CharField:
    """The body the agent named because it is not in the list (their profile's
    ``public_body_unlisted`` when they declared): for an editor to set ``public_body``."""
    return models.CharField(
        _("organisme non répertorié"),
        max_length=300,
        blank=True,
        help_text=_(
            "Indiqué par l’agent, son organisme n’étant pas dans la liste : choisissez le bon "
            "organisme public ci-dessus."
        ),
    )


def published_declarations(kind: str) -> models.Expression:
    """The number of published declarations of `kind` of each software: a subquery, so
    that a sort may use it on any SoftwareQuerySet (an export's too) without GROUP BY."""
    counted = (
        Declaration.objects.published()
        .filter(software=models.OuterRef("pk"), kind=kind)
        .order_by()
        .values("software")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)


# ExternalValue.source of the values fetched from Wikidata (sill.wikidata.SOURCE).
WIKIDATA = "wikidata"


class SoftwareQuerySet(ModeratedQuerySet):
    def own_rows(self, user) -> models.Q:
        """An agent sees their proposals while they wait (a rejected one is gone for them)."""
        return super().own_rows(user) & models.Q(moderation_status=ModerationStatus.PENDING)

    def declared_by(self, user):
        """The agent's proposals, newest first."""
        return super().declared_by(user).defer("search_vector").order_by("-added_at", "-pk")

    def for_list(self):
        """With the number of published users and referents, for listings and sorts, and
        the logo fetched from Wikidata (`wikidata_logo`, for `logo_src`)."""
        wikidata_logo = ExternalValue.objects.filter(
            software=models.OuterRef("pk"), source=WIKIDATA, field="logo"
        ).values(
            # The JSON value is a string: its text, without the quotes.
            text=models.Func(
                models.F("value"),
                template="(%(expressions)s #>> '{}')",
                output_field=models.TextField(),
            )
        )[:1]
        return self.annotate(
            wikidata_logo=models.Subquery(wikidata_logo, output_field=models.TextField()),
            user_count=published_declarations(DeclarationKind.USER),
            referent_count=published_declarations(DeclarationKind.REFERENT),
        ).defer("search_vector")

    def for_api(self):
        """A listing's software (counts, logo) with its parent and similar software."""
        return (
            self.for_list()
            .select_related("parent")
            .prefetch_related(
                models.Prefetch("similar", queryset=Software.objects.published().only("pk"))
            )
        )

    def search(self, text):
        """Full text, as the repositories (French stemming, accents ignored), annotated
        for the relevance sort (sill.filters.SORTS): `found_in`, where every word was found
        — 3 the name, 2 the name, function and category, 1 anywhere (the descriptions and
        keywords too) — and `rank`, PostgreSQL's ts_rank.

        `found_in` comes before the number of users, and ts_rank after it: ts_rank counts
        occurrences, so an extension that says "bureautique" twice would come before the
        office suite that says it once but that many more agents use."""
        text = clean_query(text)
        if not text:
            return self
        query = SearchQuery(text, config="codegouv_fr", search_type="websearch")
        return self.filter(search_vector=query).annotate(
            found_in=models.Case(
                models.When(matched_in("search_vector", query, "a"), then=models.Value(3)),
                models.When(matched_in("search_vector", query, "ab"), then=models.Value(2)),
                default=models.Value(1),
            ),
            rank=SearchRank(models.F("search_vector"), query),
        )


def https_logo(*urls) -> str:
    """The first of `urls` that may be shown as an image: https only (an http image is
    mixed content, which the CSP's img-src refuses too); "" when none."""
    return next((url for url in urls if isinstance(url, str) and url.startswith("https://")), "")


class Software(Moderated):
    """A free software in the SILL (an agent's proposal is pending until an editor publishes it)."""

    AUTHOR_FIELD = "submitted_by"
    ACTIVITY_KEY = "proposals"

    sill_id = models.PositiveIntegerField(_("identifiant SILL"), unique=True, null=True, blank=True)
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant d’URL"), max_length=200, unique=True)
    function = models.CharField(_("fonction"), max_length=500, blank=True)
    description_fr = models.TextField(_("description (français)"), blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)
    category = models.CharField(_("catégorie"), max_length=200, blank=True)
    sector = models.CharField(_("secteur"), max_length=200, blank=True)
    keywords = models.JSONField(_("mots-clés"), default=list, blank=True)
    license = models.CharField(_("licence (SPDX)"), max_length=255, blank=True)
    website = optional_url(_("site web"))
    source_url = optional_url(_("code source"))
    source_repository = optional_link(
        "catalog.Repository", verbose_name=_("dépôt du catalogue"), related_name="sill_software"
    )
    documentation_url = optional_url(_("documentation"))
    logo_url = models.URLField(_("logo"), max_length=1000, blank=True)
    wikidata_id = models.CharField(_("identifiant Wikidata"), max_length=255, blank=True)
    comptoir_id = models.CharField(_("identifiant Comptoir du Libre"), max_length=32, blank=True)
    framalibre_id = models.CharField(_("fiche Framalibre"), max_length=200, blank=True)
    label_url = optional_url(_("fiche catalogue GouvTech"))
    platforms = models.JSONField(_("systèmes et plateformes"), default=list, blank=True)
    min_version = models.CharField(_("version minimale recommandée"), max_length=100, blank=True)
    max_version = models.CharField(_("version maximale"), max_length=100, blank=True)
    status = models.CharField(
        _("statut"),
        max_length=16,
        choices=SoftwareStatus.choices,
        default=SoftwareStatus.RECOMMENDED,
    )
    dereferenced_reason = models.TextField(_("raison du déréférencement"), blank=True)
    dereferenced_at = models.DateField(_("déréférencé le"), null=True, blank=True)
    support_market = models.BooleanField(_("couvert par le marché de support"), default=False)
    proposed_by = models.CharField(_("groupe ministériel"), max_length=100, blank=True)
    usage_context = models.CharField(_("contexte d’usage"), max_length=500, blank=True)
    made_by_administration = models.BooleanField(_("développé par l’administration"), default=False)
    years = models.JSONField(_("années au SILL"), default=list, blank=True)
    parent = optional_link("self", verbose_name=_("logiciel parent"), related_name="children")
    similar = models.ManyToManyField(
        "self", verbose_name=_("logiciels similaires"), blank=True, symmetrical=True
    )
    alternatives = models.TextField(_("alternatives (texte libre)"), blank=True)
    submitted_by = user_link(verbose_name=_("proposé par"), related_name="proposed_software")
    search_vector = SearchVectorField(null=True, editable=False)
    added_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)
    modified_at = modified_at()

    objects = SoftwareQuerySet.as_manager()

    class Meta:
        verbose_name = _("logiciel")
        verbose_name_plural = _("logiciels")
        ordering = ["name"]
        indexes = [modified_index("sill_software")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sill:detail", args=[self.slug])

    @property
    def logo_src(self) -> str:
        """The logo to show as an image: the SILL's own, else Wikidata's when the row comes
        from for_list() (see https_logo)."""
        return https_logo(self.logo_url, getattr(self, "wikidata_logo", None))


class SoftwareChildQuerySet(ModeratedQuerySet):
    """Declarations and instances: listed by software on the agent's profile."""

    def declared_by(self, user):
        return (
            super()
            .declared_by(user)
            .select_related("software", "public_body")
            .defer("software__search_vector")
            .order_by("software__name", *self.profile_order)
        )


class DeclarationQuerySet(SoftwareChildQuerySet):
    profile_order = ("kind",)

    def counts_by_ministry(self, *, distinct_software=False):
        """Rows {ministry_slug, ministry_name, n} of the ministries of the declaring bodies,
        most first; n counts declarations, or software with `distinct_software`."""
        return (
            self.order_by()
            .filter(public_body__ministry__isnull=False)
            .values(
                ministry_slug=models.F("public_body__ministry__slug"),
                ministry_name=models.F("public_body__ministry__name"),
            )
            .annotate(n=models.Count("software" if distinct_software else "pk", distinct=True))
            .order_by("-n", "ministry_name")
        )

    def counts_by_public_body(self):
        """[{public_body (id, None when unknown), public_body__name, users, referents}] by
        body name."""
        return (
            self.values("public_body", "public_body__name", "public_body__slug")
            .annotate(
                users=models.Count("pk", filter=models.Q(kind=DeclarationKind.USER)),
                referents=models.Count("pk", filter=models.Q(kind=DeclarationKind.REFERENT)),
            )
            .order_by("public_body__name")
        )

    def agents(self):
        """Who declared, with their body: names and addresses are for fellow agents only."""
        return (
            self.filter(user__isnull=False)
            .select_related("user", "public_body")
            .order_by("public_body__name", "kind")
        )


class InstanceQuerySet(SoftwareChildQuerySet):
    profile_order = ("url",)

    def shown_to(self, *, agent: bool):
        """The instances a visitor sees: internal services are for public agents only."""
        rows = self.select_related("public_body")
        return rows if agent else rows.filter(is_public=True)


class Declaration(Moderated):
    """A public agent says they use a software, or are a referent (expert contact) for it."""

    AUTHOR_FIELD = "user"
    ACTIVITY_KEY = "declarations"

    user = user_link(related_name="sill_declarations")
    public_body = optional_link("catalog.PublicBody", related_name="sill_declarations")
    public_body_unlisted = unlisted_public_body()
    software = models.ForeignKey(Software, on_delete=models.CASCADE, related_name="declarations")
    kind = models.CharField(_("type"), max_length=16, choices=DeclarationKind.choices)
    version = models.CharField(_("version"), max_length=100, blank=True)
    use_case = models.TextField(_("cas d’usage"), blank=True)
    service_url = optional_url(_("adresse du service"))
    is_expert = models.BooleanField(_("expert"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("déclaration")
        verbose_name_plural = _("déclarations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "software", "kind"], name="sill_declaration_unique"
            ),
        ]

    def __str__(self):
        return f"{self.software} — {self.get_kind_display()}"


class Instance(Moderated):
    """A deployed public service running a software."""

    AUTHOR_FIELD = "user"
    ACTIVITY_KEY = "instances"

    user = user_link(verbose_name=_("déclarée par"), related_name="sill_instances")
    software = models.ForeignKey(Software, on_delete=models.CASCADE, related_name="instances")
    url = models.URLField(_("adresse"), max_length=500)
    public_body = optional_link("catalog.PublicBody", related_name="sill_instances")
    public_body_unlisted = unlisted_public_body()
    audience = models.CharField(_("public visé"), max_length=300, blank=True)
    is_public = models.BooleanField(_("accessible au public"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("instance")
        verbose_name_plural = _("instances")

    def __str__(self):
        return self.url


class ExternalValue(models.Model):
    """A value fetched from an outside source (Wikidata, Comptoir du Libre), with provenance."""

    software = models.ForeignKey(Software, on_delete=models.CASCADE, related_name="external_values")
    source = models.CharField(_("source"), max_length=32)
    field = models.CharField(_("champ"), max_length=64)
    value = models.JSONField(_("valeur"), null=True)
    fetched_at = models.DateTimeField(_("récupéré le"))

    class Meta:
        verbose_name = _("donnée externe")
        verbose_name_plural = _("données externes")
        constraints = [
            models.UniqueConstraint(
                fields=["software", "source", "field"], name="sill_external_value_unique"
            ),
        ]

    def __str__(self):
        return f"{self.software} — {self.source}:{self.field}"
