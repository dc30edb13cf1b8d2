"""BlueHats pages: the community's home, events (upcoming, archives, one event, its
calendar files), the gazette, and the agents' event proposals. Whether an event is upcoming
is decided at each request from the clock."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_GET

from accounts.mixins import PublicAgentRequiredMixin
from bluehats import ical, services
from bluehats.filters import ContributorFilter, EventFilter, event_facets
from bluehats.forms import ContributorProfileForm, EventProposalForm
from bluehats.models import ContributorProfile, Event, GazetteIssue
from catalog.exports import base_url_of
from contributions.models import Contribution
from core.listing import Listing, bind_filters, paginate
from moderation.views import DeclarationDeleteView, DeclarationFormView
from sill.enums import DeclarationKind
from sill.models import Declaration

EVENT_LISTING = Listing(
    filterset_class=EventFilter,
    template="bluehats/events.html",
    rows_name="events",
    facets=event_facets,
)
CHAT_NAMES = {"matrix.to": "Matrix", "web.libera.chat": "IRC (Libera.Chat)"}


def channels() -> dict:
    """The public channels of the community, from the settings."""
    chats = [
        {"url": url, "name": CHAT_NAMES.get(urlsplit(url).hostname, urlsplit(url).hostname)}
        for url in settings.BLUEHATS_CHAT_URLS
    ]
    return {
        "mailing_list": settings.BLUEHATS_MAILING_LIST_URL,
        "chats": chats,
        "newsletter": settings.BLUEHATS_NEWSLETTER_URL,
        "videos": settings.BLUEHATS_VIDEO_URL,
    }


def calendar_links(request) -> dict:
    """The subscribable calendar over https and as webcal:// (which opens the calendar
    application instead of downloading the file)."""
    url = request.build_absolute_uri(reverse("bluehats:calendar"))
    return {"calendar_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@require_GET
def home(request):
    return render(
        request,
        "bluehats/home.html",
        {
            "page_title": _("BlueHats"),
            "events": Event.objects.published().upcoming().for_list()[:3],
            "issue": GazetteIssue.objects.latest_issue(),
            "channels": channels(),
            **calendar_links(request),
        },
    )


@require_GET
def event_list(request):
    return EVENT_LISTING.response(
        request, Event.objects.published().upcoming(), context=calendar_links(request)
    )


@require_GET
def event_archive(request):
    events = Event.objects.published().past().for_archive()
    return render(
        request,
        "bluehats/archive.html",
        {
            "page_title": _("Événements passés"),
            "events": events,
            "years": Event.objects.published().past().years(),
        },
    )


@require_GET
def event_detail(request, slug):
    event = get_object_or_404(Event.objects.visible_to(request.user).for_detail(), slug=slug)
    return render(
        request,
        "bluehats/event.html",
        {
            "event": event,
            "page_title": event.title,
            "upcoming": event.is_upcoming(),
            "can_edit": event.is_editable_by(request.user),
            **calendar_links(request),
        },
    )


@require_GET
def calendar(request):
    """/bluehats/evenements.ics: upcoming events and those of the last six months."""
    events = Event.objects.published().for_calendar().for_list()
    return ical.calendar_response(
        events,
        name=_("Événements BlueHats"),
        base_url=base_url_of(request),
        filename="bluehats.ics",
    )


@require_GET
def event_calendar(request, slug):
    event = get_object_or_404(Event.objects.published().for_list(), slug=slug)
    return ical.calendar_response(
        [event], name=event.title, base_url=base_url_of(request), filename=f"{event.slug}.ics"
    )


@require_GET
def gazette(request):
    return render(
        request,
        "bluehats/gazette.html",
        {
            "page_title": _("La gazette BlueHats"),
            "issues": GazetteIssue.objects.for_list(),
            "newsletter_url": settings.BLUEHATS_NEWSLETTER_URL,
        },
    )


@require_GET
def gazette_issue(request, number):
    issue = get_object_or_404(GazetteIssue, number=number)
    return render(
        request,
        "bluehats/gazette_issue.html",
        {
            "issue": issue,
            "page_title": issue.title,
            "newsletter_url": settings.BLUEHATS_NEWSLETTER_URL,
        },
    )


# --- Proposals ------------------------------------------------------------------------------


class EventProposalView(PublicAgentRequiredMixin, DeclarationFormView):
    """/bluehats/evenements/proposer/ and /bluehats/evenements/<pk>/modifier/."""

    model = Event
    form_class = EventProposalForm
    template_name = "bluehats/event_form.html"
    success_messages = {
        "already": gettext_lazy("Cet événement était déjà proposé."),
        "published": gettext_lazy("Merci ! L’événement « %(title)s » est publié."),
        "pending": gettext_lazy(
            "Merci ! L’événement « %(title)s » est enregistré : il sera publié après "
            "vérification par l’équipe du portail."
        ),
        "updated": gettext_lazy("L’événement « %(title)s » est modifié."),
    }

    def get_form_kwargs(self):
        return {"user": self.request.user, "instance": self.object}

    def message_values(self, event):
        return {"title": event.title}

    def create(self, form):
        return services.propose_event(
            author=self.request.user, token=form.cleaned_data["submission_token"], **form.values()
        )

    def update(self, form):
        return services.update_proposal(event=self.object, by=self.request.user, **form.values())

    def success_url(self, event):
        return event.get_absolute_url()


class EventDeleteView(PublicAgentRequiredMixin, DeclarationDeleteView):
    model = Event
    title = gettext_lazy("Retirer un événement")
    deleted_message = gettext_lazy("L’événement « %(title)s » est retiré.")

    def describe(self, event):
        return _("Voulez-vous vraiment retirer l’événement « %(title)s » ?") % {
            "title": event.title
        }

    def message_values(self, event):
        return {"title": event.title}

    def cancel_url(self, event):
        return event.get_absolute_url()

    def success_url(self, event):
        return reverse("bluehats:events")


# --- Contributor profiles (opt-in) ------------------------------------------------------------


@require_GET
def contributor_list(request):
    public = ContributorProfile.objects.public()
    _filterset, profiles = bind_filters(ContributorFilter, request.GET, public.for_list())
    page, _per_page = paginate(request, profiles)
    return render(
        request,
        "bluehats/contributors.html",
        {
            "page_title": _("Contributeurs et contributrices"),
            "page_obj": page,
            "profiles": page.object_list,
            "ministries": public.ministries(),
            "ministry": request.GET.get("ministry", ""),
        },
    )


@require_GET
def contributor_detail(request, slug):
    """A public profile (its owner also sees it while private); anyone else gets a 404."""
    profile = get_object_or_404(
        ContributorProfile.objects.visible_to(request.user).select_related(
            "user__public_body__ministry"
        ),
        slug=slug,
    )
    contributions = (
        Contribution.objects.published()
        .filter(author_id=profile.user_id)
        .for_list()
        .order_by("-started_on", "-pk")
    )
    page, _per_page = paginate(request, contributions)
    talks = profile.talks.published().for_list().order_by("-start_at", "-pk")
    referent_of = (
        Declaration.objects.published()
        .filter(user_id=profile.user_id, kind=DeclarationKind.REFERENT)
        .select_related("software")
        .order_by("software__name")
        if profile.shows_referent_declarations
        else Declaration.objects.none()
    )
    return render(
        request,
        "bluehats/contributor.html",
        {
            "profile": profile,
            "page_title": profile.display_name,
            "page_obj": page,
            "contributions": page.object_list,
            "events": talks,
            "referent_of": referent_of,
            "own": request.user.is_authenticated and profile.user_id == request.user.pk,
        },
    )


class OwnProfileView(PublicAgentRequiredMixin, View):
    """/contributeurs/mon-profil/: create or edit one's own profile."""

    template_name = "bluehats/profile_form.html"

    def current(self):
        return ContributorProfile.objects.filter(user=self.request.user).first()

    def render_form(self, form, profile):
        return render(
            self.request,
            self.template_name,
            {"form": form, "profile": profile, "page_title": _("Mon profil de contributeur")},
        )

    def get(self, request):
        profile = self.current()
        return self.render_form(
            ContributorProfileForm(user=request.user, instance=profile), profile
        )

    def post(self, request):
        profile = self.current()
        form = ContributorProfileForm(request.POST, user=request.user, instance=profile)
        if not form.is_valid():
            return self.render_form(form, profile)
        profile = services.save_profile(user=request.user, **form.values())
        if profile.is_public:
            messages.success(request, _("Votre profil est public."))
        else:
            messages.success(request, _("Votre profil est enregistré ; il reste privé."))
        return redirect(profile.get_absolute_url())
