"""What public agents declare about code: contributions to free software they do not own,
and the inventory of their body's code that is not published yet."""

from django.db import models
from django.db.models import Case, Count, F, Func, Q, Value, When
from django.db.models.functions import ExtractYear, Left, Length, Lower, StrIndex, Substr
from django.db.models.lookups import EndsWith
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contributions.enums import ContributionKind
from core.fields import modified_at, modified_index, optional_link, public_body_link, user_link
from core.markdown import render_markdown
from core.search import substring_search
from core.validators import WEB_URL
from moderation.models import Moderated, ModeratedQuerySet


def _rtrim_slashes(expression):
    return Func(expression, Value("/"), function="RTRIM", output_field=models.CharField())


def _project_key_expression():
    """SQL twin of `project_key()`: lower case, no scheme, no trailing "/" nor ".git"."""
    url = Lower("project_url")
    bare = _rtrim_slashes(Substr(url, StrIndex(url, Value("://")) + 3))
    return _rtrim_slashes(
        Case(
            When(EndsWith(bare, ".git"), then=Left(bare, Length(bare) - 4)),
            default=bare,
            output_field=models.CharField(),
        )
    )


def project_key(url: str) -> str:
    """The key grouping the contributions to one project: `https://GitHub.com/Org/Repo.git/`
    and `http://github.com/org/repo` are both `github.com/org/repo`.

    The database computes the same value in `Contribution.project_key`, so pages link with
    the stored value."""
    key = url.strip().lower()
    key = key[key.find("://") + 3 :].rstrip("/")
    return key.removesuffix(".git").rstrip("/")


class PublicBodyCountsMixin:
    def counts_by_public_body(self):
        """Rows {public_body, public_body__slug, public_body__name, n}, most rows first (the
        rows without a public body are one row, public_body None)."""
        return (
            self.order_by()
            .values("public_body", "public_body__slug", "public_body__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "public_body__name")
        )

    def counts_by_ministry(self):
        """Rows {ministry_slug, ministry_name, n} of the ministries of the rows' public
        bodies, most first."""
        return (
            self.order_by()
            .filter(public_body__ministry__isnull=False)
            .values(
                ministry_slug=F("public_body__ministry__slug"),
                ministry_name=F("public_body__ministry__name"),
            )
            .annotate(n=Count("pk"))
            .order_by("-n", "ministry_name")
        )


class ContributionQuerySet(PublicBodyCountsMixin, ModeratedQuerySet):
    def declared_by(self, user):
        return (
            super().declared_by(user).select_related("public_body").order_by("-started_on", "-pk")
        )

    def for_list(self):
        """With the author and the public body, for cards, feeds and pages."""
        return self.select_related("author", "public_body", "repository__forge", "software")

    def search(self, text: str):
        """Accent- and case-insensitive substring match on the project's name, the
        description and the public body's name."""
        return substring_search(self, text, ("project_name", "description", "public_body__name"))

    def counts_by_kind(self):
        """[(kind, count, label)] of the natures, most frequent first."""
        labels = dict(ContributionKind.choices)
        rows = self.order_by().values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
        return [(row["kind"], row["n"], labels.get(row["kind"], row["kind"])) for row in rows]

    def counts_by_year(self):
        """[(year, count, year)], most recent first."""
        rows = (
            self.order_by()
            .annotate(year=ExtractYear("started_on"))
            .values("year")
            .annotate(n=Count("pk"))
            .order_by("-year")
        )
        return [(row["year"], row["n"], row["year"]) for row in rows]

    def projects(self):
        """One row per project (key, name, url, count, latest), most contributions first."""
        return (
            self.order_by()
            .values("project_key")
            .annotate(
                name=models.Min("project_name"),
                url=models.Min("project_url"),
                n=Count("pk"),
                latest=models.Max("started_on"),
            )
            .order_by("-n", "name")
        )


class Contribution(Moderated):
    """Work done by an agent or a public body on a free-software project it does not own."""

    ACTIVITY_KEY = "contributions"

    # On account deletion the contribution stays, credited to its public body only.
    author = user_link(verbose_name=_("auteur"), related_name="contributions")
    public_body = public_body_link(related_name="contributions")
    project_name = models.CharField(_("projet"), max_length=200)
    project_url = models.URLField(
        _("adresse du projet"), max_length=500, validators=[WEB_URL], db_index=True
    )
    # Filled when the project is a repository of the catalogue or a SILL software.
    repository = optional_link(
        "catalog.Repository", verbose_name=_("dépôt du catalogue"), related_name="contributions"
    )
    software = optional_link(
        "sill.Software", verbose_name=_("logiciel du SILL"), related_name="contributions"
    )
    kind = models.CharField(_("nature"), max_length=16, choices=ContributionKind.choices)
    # Links to the evidence: merge requests, commits, issues, releases (http/https only).
    evidence_urls = models.JSONField(_("preuves (liens)"), default=list, blank=True)
    started_on = models.DateField(_("date (ou début)"))
    ended_on = models.DateField(_("fin"), null=True, blank=True)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("déclarée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # Computed by the database from project_url (see project_key()): groups a project's
    # contributions whatever the spelling of its address.
    project_key = models.GeneratedField(
        expression=_project_key_expression(),
        output_field=models.CharField(max_length=500),
        db_persist=True,
        verbose_name=_("projet (adresse normalisée)"),
    )
    modified_at = modified_at()

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["project_key"], name="contrib_project_key"),
            modified_index("contrib"),
            models.Index(
                F("started_on").desc(),
                F("id").desc(),
                name="contrib_published_recent",
                condition=Q(moderation_status="published"),
            ),
        ]

    def __str__(self):
        return f"{self.project_name} — {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("contributions:detail", args=[self.pk])

    @property
    def rendered_description(self):
        return render_markdown(self.description, from_user=True)

    @property
    def shown_author(self):
        """The author's name when they chose to show it on their contributions, else None."""
        if self.author_id and self.author.show_name:
            # Never the address: a name, or nothing.
            return f"{self.author.first_name} {self.author.last_name}".strip() or None
        return None


class UnpublishedCodeQuerySet(PublicBodyCountsMixin, ModeratedQuerySet):
    def declared_by(self, user):
        return (
            super().declared_by(user).select_related("public_body").order_by("-created_at", "-pk")
        )

    def hand_over(self, user) -> None:
        """Also: a contact address that is the agent's own goes with their account."""
        super().hand_over(user)
        self.declared_by(user).filter(contact__iexact=user.email).update(contact="")

    def for_list(self):
        return self.select_related("author", "public_body", "published_repository__forge")

    def search(self, text: str):
        """Accent- and case-insensitive substring match (technologies included)."""
        return substring_search(
            self, text, ("name", "description", "technologies", "public_body__name")
        )


class UnpublishedCode(Moderated):
    """Code a public body has not published yet but that others could reuse."""

    ACTIVITY_KEY = "unpublished_code"

    author = user_link(verbose_name=_("auteur"), related_name="unpublished_code")
    public_body = public_body_link(related_name="unpublished_code")
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    technologies = models.JSONField(_("technologies"), default=list, blank=True)
    reason = models.TextField(_("pourquoi il n’est pas encore publié"), max_length=2000)
    contact = models.EmailField(_("contact"), max_length=254)
    planned_on = models.DateField(_("publication prévue le"), null=True, blank=True)
    # Set by an editor when the code appears on a forge.
    published_repository = optional_link(
        "catalog.Repository", verbose_name=_("dépôt publié"), related_name="+"
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    created_at = models.DateTimeField(_("déclaré le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = UnpublishedCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("code non publié")
        verbose_name_plural = _("codes non publiés")
        ordering = ["planned_on", "name"]

    def __str__(self):
        return self.name
