"""BlueHats, the community of public free-software contributors: its events (webinars,
meetups, sprints…), the issues of its gazette, and the contributor profiles agents may
make public.

Times are stored as aware datetimes (UTC in the database) and entered, shown and exported
in Europe/Paris: see docs/adr/0019-bluehats-events-and-calendar.md. Whether an event is
upcoming is computed from the clock at each request, never stored.
"""

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bluehats.enums import EventKind, EventStatus
from catalog.models import PublicBody, Repository
from core.fields import modified_at, modified_index, optional_url, public_body_link, user_link
from core.markdown import render_markdown
from core.search import substring_search
from core.validators import WEB_URL
from moderation.models import Moderated, ModeratedQuerySet
from sill.models import Software

PARIS = ZoneInfo("Europe/Paris")
# How far back the subscribable calendar goes.
FEED_PAST_DAYS = 183


class EventQuerySet(ModeratedQuerySet):
    def upcoming(self, now=None):
        """Not over yet at `now` (default: this instant): an event in progress is upcoming."""
        return self.filter(end_at__gt=now or timezone.now())

    def past(self, now=None):
        return self.filter(end_at__lte=now or timezone.now())

    def for_calendar(self, now=None):
        """What the subscribable calendar carries: upcoming events and those of the last six
        months, cancelled ones included (a calendar must learn of the cancellation)."""
        now = now or timezone.now()
        return self.filter(end_at__gt=now - timedelta(days=FEED_PAST_DAYS)).order_by(
            "start_at", "pk"
        )

    def for_list(self):
        """With the organiser, for cards, feeds and calendars."""
        return self.select_related("organiser__ministry")

    def for_detail(self):
        return self.for_list().prefetch_related(
            models.Prefetch("software", queryset=_published_software()),
            models.Prefetch("repositories", queryset=_visible_repositories()),
        )

    def for_archive(self):
        """Most recent first, each with its `year` in Paris time (for the year headings)."""
        return (
            self.for_list()
            .annotate(year=ExtractYear("start_at", tzinfo=PARIS))
            .order_by("-start_at", "-pk")
        )

    def search(self, text: str):
        return substring_search(self, text, ("title", "description", "speakers", "place"))

    def years(self):
        """[(year, count)] of the events, most recent first (years in Paris time)."""
        rows = (
            self.order_by()
            .annotate(year=ExtractYear("start_at", tzinfo=PARIS))
            .values("year")
            .annotate(n=models.Count("pk"))
            .order_by("-year")
        )
        return [(row["year"], row["n"]) for row in rows]

    def counts_by_kind(self):
        labels = dict(EventKind.choices)
        rows = self.order_by().values("kind").annotate(n=models.Count("pk")).order_by("-n", "kind")
        return [(row["kind"], row["n"], labels.get(row["kind"], row["kind"])) for row in rows]

    def counts_by_organiser(self):
        rows = (
            self.order_by()
            .exclude(organiser__slug=None)
            .values("organiser__slug", "organiser__name")
            .annotate(n=models.Count("pk"))
            .order_by("-n", "organiser__name")
        )
        return [(row["organiser__slug"], row["n"], row["organiser__name"]) for row in rows]


def _published_software():
    return Software.objects.published().only("pk", "name", "slug")


def _visible_repositories():
    return Repository.objects.visible().select_related("forge")


class Event(Moderated):
    """A BlueHats event: proposed by an agent (moderated) or written by an editor."""

    ACTIVITY_KEY = "events"

    # The calendar UID (`<uuid>@<site host>`): never changes, whatever is edited.
    uid = models.UUIDField(
        _("identifiant de calendrier"), default=uuid.uuid4, unique=True, editable=False
    )
    slug = models.SlugField(_("identifiant d’URL"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=EventKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    start_at = models.DateTimeField(_("début"))
    end_at = models.DateTimeField(_("fin"))
    all_day = models.BooleanField(
        _("toute la journée"),
        default=False,
        help_text=_(
            "Les heures ne sont pas affichées ; la fin est le lendemain du dernier jour à 0 h."
        ),
    )
    online = models.BooleanField(_("en ligne"), default=False)
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    online_url = optional_url(_("lien de connexion"), validators=[WEB_URL])
    registration_url = optional_url(_("lien d’inscription"), validators=[WEB_URL])
    description = models.TextField(_("description (Markdown)"), max_length=10_000, blank=True)
    organiser = public_body_link(verbose_name=_("organisateur"), related_name="bluehats_events")
    speakers = models.CharField(_("intervenants"), max_length=500, blank=True)
    software = models.ManyToManyField(
        "sill.Software",
        verbose_name=_("logiciels du SILL"),
        related_name="bluehats_events",
        blank=True,
    )
    repositories = models.ManyToManyField(
        "catalog.Repository",
        verbose_name=_("dépôts"),
        related_name="bluehats_events",
        blank=True,
    )
    # The speakers who have a public contributor profile (their page lists the event).
    speaker_profiles = models.ManyToManyField(
        "bluehats.ContributorProfile",
        verbose_name=_("intervenants ayant un profil"),
        related_name="talks",
        blank=True,
    )
    status = models.CharField(
        _("statut"), max_length=16, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    # Raised on every change a calendar must apply (RFC 5545 SEQUENCE): services.py.
    sequence = models.PositiveIntegerField(_("révision"), default=0, editable=False)
    video_url = optional_url(_("vidéo"), validators=[WEB_URL])
    slides_url = optional_url(_("présentation"), validators=[WEB_URL])
    report_url = optional_url(_("compte rendu"), validators=[WEB_URL])
    # Where an imported event came from (code.gouv.fr's page).
    source_url = optional_url(_("source"), validators=[WEB_URL])
    author = user_link(verbose_name=_("proposé par"), related_name="bluehats_events")
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    modified_at = modified_at()

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement BlueHats")
        verbose_name_plural = _("événements BlueHats")
        ordering = ["start_at", "pk"]
        indexes = [
            models.Index(fields=["end_at"], name="bluehats_event_end"),
            modified_index("bluehats_event"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gte=F("start_at")),
                name="bluehats_event_ends_after_start",
                violation_error_message=_("La fin de l’événement doit suivre son début."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("bluehats:event", args=[self.slug])

    def clean(self):
        if self.start_at and self.end_at and self.end_at < self.start_at:
            raise ValidationError({"end_at": _("La fin de l’événement doit suivre son début.")})

    def is_upcoming(self, now=None):
        return self.end_at > (now or timezone.now())

    @property
    def is_cancelled(self):
        return self.status == EventStatus.CANCELLED

    @property
    def local_start(self):
        return timezone.localtime(self.start_at, PARIS)

    @property
    def local_end(self):
        return timezone.localtime(self.end_at, PARIS)

    @property
    def last_day(self):
        """The last day of an all-day event (its end is the next day at midnight)."""
        return (
            (self.local_end - timedelta(days=1)).date() if self.all_day else self.local_end.date()
        )

    @property
    def rendered_description(self):
        return render_markdown(self.description, from_user=True)


class GazetteIssueQuerySet(models.QuerySet):
    def for_list(self):
        return self.defer("body").order_by("-number")

    def latest_issue(self):
        return self.for_list().first()


class GazetteIssue(models.Model):
    """An issue of the « Gazette BlueHats »: the archive, and the new ones editors write."""

    number = models.PositiveIntegerField(_("numéro"), unique=True)
    published_on = models.DateField(_("date"))
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("contenu (Markdown)"), blank=True)
    source_url = optional_url(_("source"), validators=[WEB_URL])
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    modified_at = modified_at()

    objects = GazetteIssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("numéro de la gazette")
        verbose_name_plural = _("numéros de la gazette")
        ordering = ["-number"]
        indexes = [modified_index("bluehats_gazette")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("bluehats:gazette_issue", args=[self.number])

    def rendered_body(self):
        return render_markdown(self.body)


class ContributorProfileQuerySet(models.QuerySet):
    def public(self):
        """Profiles their owner made public (and whose account is active)."""
        return self.filter(is_public=True, user__is_active=True)

    def visible_to(self, user):
        """Public profiles, plus the user's own whatever its state (to preview it)."""
        if user.is_authenticated:
            return self.filter(Q(is_public=True, user__is_active=True) | Q(user=user))
        return self.public()

    def ministries(self):
        """The ministries the agents of these profiles belong to, for the filter."""
        return PublicBody.objects.filter(
            pk__in=self.values("user__public_body__ministry")
        ).order_by("name")

    def for_list(self):
        """With the agent's public body and its ministry (shown on the cards)."""
        return self.select_related("user__public_body__ministry").order_by("display_name", "pk")


class ContributorProfile(models.Model):
    """An agent's public page as a free-software contributor: opt-in, never their address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contributor_profile",
        verbose_name=_("compte"),
    )
    is_public = models.BooleanField(_("profil public"), default=False)
    slug = models.SlugField(_("identifiant d’URL"), max_length=120, unique=True)
    display_name = models.CharField(_("nom affiché"), max_length=120)
    short_bio = models.CharField(_("présentation courte"), max_length=300, blank=True)
    body = models.TextField(_("présentation (Markdown)"), max_length=5000, blank=True)
    # "host/handle" of their accounts on forges: github.com/jdupont, gitlab.com/jdupont.
    forge_handles = models.JSONField(_("comptes sur les forges"), default=list, blank=True)
    # Opt-in too: the SILL software the agent is a referent (expert contact) for.
    shows_referent_declarations = models.BooleanField(
        _("montrer mes déclarations de référent SILL"), default=False
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    modified_at = modified_at()

    objects = ContributorProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("profil de contributeur")
        verbose_name_plural = _("profils de contributeurs")
        ordering = ["display_name", "pk"]
        indexes = [modified_index("bluehats_profile")]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("contributors:detail", args=[self.slug])

    def rendered_body(self):
        return render_markdown(self.body, from_user=True)

    @property
    def forge_links(self):
        """[(url, label)] of the forge accounts, https only."""
        return [(f"https://{handle}", handle) for handle in self.forge_handles]
