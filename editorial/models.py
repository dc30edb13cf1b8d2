"""Editorial content curated through the admin: guide pages and home page highlights.

The tables keep the names they had when the models lived in the project package
(codegouv_guidepage, codegouv_highlight): the move changed the code, not the data."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import optional_link, optional_url
from core.markdown import render_markdown
from core.validators import WEB_URL
from moderation.models import ModerationStatus


class GuidePageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=GuidePage.Status.PUBLISHED)

    def for_list(self):
        """Published pages in display order, without their bodies."""
        return self.published().order_by("order", "title").defer("body")

    def placements(self):
        """(placement, title, slug) of the published pages shown in the footer or menu."""
        return (
            self.published()
            .exclude(placement=GuidePage.Placement.NONE)
            .order_by("order", "title")
            .values_list("placement", "title", "slug", named=True)
        )


class HighlightQuerySet(models.QuerySet):
    def active(self, now=None):
        """Shown now: started, and not yet ended (or without an end)."""
        now = now or timezone.now()
        return self.filter(Q(end_at__isnull=True) | Q(end_at__gt=now), start_at__lte=now).order_by(
            "order", "start_at"
        )

    def upcoming(self, now=None):
        return self.filter(start_at__gt=now or timezone.now())

    def past(self, now=None):
        return self.filter(end_at__lte=now or timezone.now())

    def for_home(self, now=None):
        """The active highlights with their target, for the home page's cards; never one
        pointing at software or a contribution that is not (or no longer) published."""
        published = ModerationStatus.PUBLISHED
        return (
            self.active(now)
            .filter(Q(software__isnull=True) | Q(software__moderation_status=published))
            .filter(Q(contribution__isnull=True) | Q(contribution__moderation_status=published))
            .select_related("repository__forge", "software", "contribution")
        )


# The about page is a guide page (seeded by a migration, editable) with its own address.
ABOUT_SLUG = "a-propos"


def guide_url(slug: str) -> str:
    """A guide page's address from its slug alone (the navigation has no instances)."""
    if slug == ABOUT_SLUG:
        return reverse("about")
    return reverse("guides:detail", args=[slug])


class GuidePage(models.Model):
    """A page of prose written by the editors in Markdown (help, how-tos, about)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        PUBLISHED = "published", _("publiée")

    class Placement(models.TextChoices):
        NONE = "none", _("aucun lien")
        FOOTER = "footer", _("pied de page")
        NAVIGATION = "navigation", _("menu principal")

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant d’URL"), max_length=200, unique=True)
    summary = models.CharField(
        _("résumé"),
        max_length=300,
        blank=True,
        help_text=_("Une phrase, reprise dans la liste des guides et la description de la page."),
    )
    body = models.TextField(_("contenu (Markdown)"), blank=True)
    status = models.CharField(_("statut"), max_length=16, choices=Status, default=Status.DRAFT)
    placement = models.CharField(
        _("lien"),
        max_length=16,
        choices=Placement,
        default=Placement.NONE,
        help_text=_("Où un lien vers la page apparaît une fois publiée."),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)

    objects = GuidePageQuerySet.as_manager()

    class Meta:
        verbose_name = _("page de guide")
        verbose_name_plural = _("pages de guide")
        ordering = ("order", "title")
        db_table = "codegouv_guidepage"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return guide_url(self.slug)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def stamp_publication(self):
        """Remember when the page was first published."""
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()

    def rendered_body(self):
        """The body as sanitised HTML, safe to show as is."""
        return render_markdown(self.body)


def highlighted(to, verbose_name, **options) -> models.ForeignKey:
    """One of the things a highlight may put forward: optional, and the highlight goes
    when it goes."""
    return optional_link(
        to,
        verbose_name=verbose_name,
        on_delete=models.CASCADE,
        related_name="highlights",
        **options,
    )


class Highlight(models.Model):
    """Something an editor puts forward on the home page for a while."""

    title = models.CharField(_("titre"), max_length=200)
    text = models.CharField(_("texte court"), max_length=300, blank=True)
    image_url = optional_url(_("adresse de l’image"), validators=[WEB_URL])
    repository = highlighted("catalog.Repository", _("dépôt"))
    software = highlighted(
        "sill.Software",
        _("logiciel du SILL"),
        limit_choices_to={"moderation_status": ModerationStatus.PUBLISHED},
    )
    contribution = highlighted(
        "contributions.Contribution",
        _("contribution"),
        limit_choices_to={"moderation_status": ModerationStatus.PUBLISHED},
    )
    # Any other page (an event, an article).
    url = optional_url(_("adresse web"), validators=[WEB_URL])
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    start_at = models.DateTimeField(_("début"), default=timezone.now)
    end_at = models.DateTimeField(_("fin"), null=True, blank=True)

    objects = HighlightQuerySet.as_manager()

    class Meta:
        verbose_name = _("mise en avant")
        verbose_name_plural = _("mises en avant")
        ordering = ("order", "start_at")
        db_table = "codegouv_highlight"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(repository__isnull=False, software__isnull=True, contribution__isnull=True)
                    & Q(url="")
                    | Q(repository__isnull=True, software__isnull=False, contribution__isnull=True)
                    & Q(url="")
                    | Q(repository__isnull=True, software__isnull=True, contribution__isnull=False)
                    & Q(url="")
                    | Q(repository__isnull=True, software__isnull=True, contribution__isnull=True)
                    & ~Q(url="")
                ),
                # Named after the table, which kept its name (see the module's docstring).
                name="codegouv_highlight_exactly_one_target",
                violation_error_message=_(
                    "Choisissez exactement une cible : un dépôt, un logiciel du SILL, une "
                    "contribution ou une adresse web."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        targets = [self.repository_id, self.software_id, self.contribution_id, self.url]
        chosen = sum(1 for target in targets if target)
        if chosen == 0:
            message = _(
                "Choisissez la cible : un dépôt, un logiciel du SILL, une contribution ou une "
                "adresse web."
            )
        elif chosen > 1:
            message = _(
                "Une seule cible à la fois : un dépôt, un logiciel du SILL, une contribution "
                "ou une adresse web."
            )
        else:
            message = None
        if self.end_at and self.start_at and self.end_at <= self.start_at:
            raise ValidationError({"end_at": _("La fin doit suivre le début.")})
        if message:
            # Keyed on a target field, which also spares the form the constraint's message.
            raise ValidationError({"repository": message})

    @property
    def kind_label(self):
        if self.repository_id:
            return _("Dépôt")
        if self.software_id:
            return _("Logiciel du SILL")
        if self.contribution_id:
            return _("Contribution")
        return _("À découvrir")

    @property
    def target_url(self):
        if self.repository_id:
            return reverse(
                "catalog:detail", args=[self.repository.forge.host, self.repository.full_path]
            )
        if self.software_id:
            return reverse("sill:detail", args=[self.software.slug])
        if self.contribution_id:
            return reverse("contributions:detail", args=[self.contribution_id])
        return self.url

    @property
    def is_external(self):
        return not (self.repository_id or self.software_id)
