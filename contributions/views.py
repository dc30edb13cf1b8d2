"""Public pages of the contributions, and the agents' declaration forms."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.mixins import PublicAgentRequiredMixin
from catalog.exports import base_url_of, download_response
from catalog.models import PublicBody
from contributions import exports, filters, services
from contributions.forms import ContributionForm, UnpublishedCodeForm
from contributions.models import Contribution, UnpublishedCode
from core.listing import Listing, paginate
from moderation.models import ModerationStatus
from moderation.views import DeclarationDeleteView, DeclarationFormView


def export_contributions(queryset, fmt, request, *, name_parts=()):
    rows = exports.contribution_rows(queryset, base_url=base_url_of(request))
    return download_response(
        request,
        rows,
        exports.CONTRIBUTION_COLUMNS,
        fmt=fmt,
        stem="contributions",
        name_parts=name_parts,
    )


CONTRIBUTION_LISTING = Listing(
    filterset_class=filters.ContributionFilter,
    template="contributions/index.html",
    rows_name="contributions",
    export=export_contributions,
    facets=filters.contribution_facets,
)
UNPUBLISHED_LISTING = Listing(
    filterset_class=filters.UnpublishedCodeFilter,
    template="contributions/unpublished_list.html",
    rows_name="entries",
    facets=filters.unpublished_facets,
)


def contribution_list(request):
    return CONTRIBUTION_LISTING.response(request, Contribution.objects.published())


def contribution_detail(request, pk):
    contribution = get_object_or_404(
        Contribution.objects.visible_to(request.user).for_list(), pk=pk
    )
    return render(
        request,
        "contributions/detail.html",
        {
            "contribution": contribution,
            "can_edit": contribution.is_editable_by(request.user),
        },
    )


def project_detail(request, key):
    if "\x00" in key:  # PostgreSQL refuses NUL in text: no such project
        raise Http404(_("Aucune contribution publiée à ce projet."))
    contributions = Contribution.objects.published().filter(project_key=key)
    page, _per_page = paginate(request, contributions.for_list().order_by("-started_on", "-id"))
    if not page.paginator.count:
        raise Http404(_("Aucune contribution publiée à ce projet."))
    rows = list(page.object_list)
    # The catalogue repository and SILL software the declarations were linked to.
    latest = contributions.order_by("-started_on", "-id")
    with_repository = (
        latest.filter(repository__isnull=False, repository__gone_since__isnull=True)
        .select_related("repository__forge")
        .first()
    )
    with_software = (
        latest.filter(software__moderation_status=ModerationStatus.PUBLISHED)
        .select_related("software")
        .first()
    )
    by_body = contributions.counts_by_public_body()
    return render(
        request,
        "contributions/project.html",
        {
            "key": key,
            "project": rows[0],
            "page_obj": page,
            "contributions": rows,
            "repository": with_repository.repository if with_repository else None,
            "software": with_software.software if with_software else None,
            "by_kind": contributions.counts_by_kind(),
            "by_body": list(by_body),
        },
    )


def public_body_by_id(request, pk):
    body = get_object_or_404(PublicBody.objects.exclude(slug=None), pk=pk)
    return redirect("contributions:public_body", slug=body.slug, permanent=True)


def public_body_detail(request, slug):
    body = get_object_or_404(PublicBody, slug=slug)
    contributions = Contribution.objects.published().filter(public_body=body)
    page, _per_page = paginate(request, contributions.for_list().order_by("-started_on", "-id"))
    return render(
        request,
        "contributions/public_body.html",
        {
            "body": body,
            "page_obj": page,
            "contributions": page.object_list,
            "by_kind": contributions.counts_by_kind(),
            "by_year": contributions.counts_by_year(),
            "projects": list(contributions.projects()[:50]),
        },
    )


# --- Declarations ---------------------------------------------------------------------------


class AgentFormMixin(PublicAgentRequiredMixin):
    """The declaration forms of this app know their author (their public body)."""

    def get_form_kwargs(self):
        return {"user": self.request.user, "instance": self.object}


class ContributionView(AgentFormMixin, DeclarationFormView):
    """/contributions/declarer/ and /contributions/<pk>/modifier/."""

    model = Contribution
    form_class = ContributionForm
    template_name = "contributions/contribution_form.html"
    success_messages = {
        "already": gettext_lazy("Cette contribution était déjà enregistrée."),
        "published": gettext_lazy("Merci ! Votre contribution est publiée."),
        "pending": gettext_lazy(
            "Merci ! Votre contribution est enregistrée : elle sera publiée après "
            "vérification par l’équipe du portail."
        ),
        "updated": gettext_lazy("La contribution est modifiée."),
    }

    def create(self, form):
        return services.declare_contribution(
            author=self.request.user, token=form.cleaned_data["submission_token"], **form.values()
        )

    def update(self, form):
        return services.update_contribution(
            contribution=self.object, by=self.request.user, **form.values()
        )

    def success_url(self, contribution):
        return reverse("contributions:detail", args=[contribution.pk])


class ContributionDeleteView(PublicAgentRequiredMixin, DeclarationDeleteView):
    model = Contribution
    title = gettext_lazy("Supprimer une contribution")
    deleted_message = gettext_lazy("La contribution à %(project)s est supprimée.")

    def editable_rows(self):
        return super().editable_rows().select_related("public_body")

    def describe(self, contribution):
        return _(
            "Voulez-vous vraiment supprimer la contribution « %(project)s : %(kind)s » ? "
            "Elle disparaîtra du portail et de ses exports."
        ) % {"project": contribution.project_name, "kind": contribution.get_kind_display()}

    def message_values(self, contribution):
        return {"project": contribution.project_name}

    def cancel_url(self, contribution):
        return reverse("contributions:detail", args=[contribution.pk])

    def success_url(self, contribution):
        return reverse("contributions:index")


# --- Unpublished code -----------------------------------------------------------------------


class UnpublishedCodeListView(PublicAgentRequiredMixin, View):
    """For agents only: the published entries, plus the user's own whatever their status."""

    def get(self, request):
        return UNPUBLISHED_LISTING.response(
            request, UnpublishedCode.objects.visible_to(request.user)
        )


class UnpublishedCodeView(AgentFormMixin, DeclarationFormView):
    """/code-a-publier/declarer/ and /code-a-publier/<pk>/modifier/."""

    model = UnpublishedCode
    form_class = UnpublishedCodeForm
    template_name = "contributions/unpublished_form.html"
    success_messages = {
        "already": gettext_lazy("Ce code était déjà enregistré."),
        "published": gettext_lazy("Merci ! Ce code figure maintenant dans l’inventaire."),
        "pending": gettext_lazy(
            "Merci ! Ce code est enregistré : les autres agents le verront après "
            "vérification par l’équipe du portail."
        ),
        "updated": gettext_lazy("L’entrée « %(name)s » est modifiée."),
    }

    def message_values(self, code):
        return {"name": code.name}

    def create(self, form):
        return services.declare_unpublished_code(
            author=self.request.user, token=form.cleaned_data["submission_token"], **form.values()
        )

    def update(self, form):
        return services.update_unpublished_code(
            code=self.object, by=self.request.user, **form.values()
        )

    def success_url(self, code):
        return f"{reverse('unpublished:index')}#code-{code.pk}"


class UnpublishedCodeDeleteView(PublicAgentRequiredMixin, DeclarationDeleteView):
    model = UnpublishedCode
    title = gettext_lazy("Retirer du code à publier")
    deleted_message = gettext_lazy("L’entrée « %(name)s » est supprimée.")

    def describe(self, code):
        return _(
            "Voulez-vous vraiment retirer « %(name)s » de l’inventaire du code à publier ?"
        ) % {"name": code.name}

    def message_values(self, code):
        return {"name": code.name}

    def success_url(self, code):
        return reverse("unpublished:index")
