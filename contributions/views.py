"""Public pages of the contributions, and the agents' declaration forms."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.mixins import PublicAgentRequiredMixin
from catalog.exports import download_response
from catalog.filters import searched_text
from catalog.models import PublicBody
from catalog.views import active_filters, paginate
from codegouv.moderation import ModerationStatus
from codegouv.services import withdraw
from contributions import exports, filters, services
from contributions.forms import ContributionForm, UnpublishedCodeForm
from contributions.models import Contribution, UnpublishedCode


def contribution_list(request):
    filterset, queryset = filters.filter_contributions(request.GET)
    sort, order = filters.sort_order(request.GET)
    if request.GET.get("format") in ("csv", "json"):
        rows = exports.contribution_rows(
            queryset.order_by(*order), base_url=request.build_absolute_uri("/").rstrip("/")
        )
        return download_response(
            request,
            rows,
            exports.CONTRIBUTION_COLUMNS,
            fmt=request.GET["format"],
            stem="contributions",
        )
    page, _per_page = paginate(request, queryset.for_list().order_by(*order))
    return render(
        request,
        "contributions/index.html",
        {
            "filterset": filterset,
            "page_obj": page,
            "contributions": page.object_list,
            "facets": filters.contribution_facets(queryset),
            "active_filters": active_filters(filterset),
            "query": searched_text(filterset),
            "sort": sort,
            "sorts": list(filters.SORT_LABELS.items()),
        },
    )


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


def public_body_detail(request, pk):
    body = get_object_or_404(PublicBody, pk=pk)
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


class DeclarationFormView(PublicAgentRequiredMixin, View):
    """Shared by the create and edit forms of contributions and of unpublished code."""

    form_class = None
    template_name = ""

    def get_object(self):
        return None

    def get_form(self, data=None):
        return self.form_class(data, user=self.request.user, instance=self.object)

    def render_form(self, form):
        return render(
            self.request,
            self.template_name,
            {"form": form, "object": self.object, "creating": self.object is None},
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        if self.object is not None:
            return self.updated(form)
        try:
            return self.created(form)
        except PermissionError:
            # A token already used by someone else: never their row, ask to submit again.
            data = request.POST.copy()
            data["submission_token"] = str(uuid.uuid4())
            form = self.get_form(data)
            form.is_valid()
            form.add_error(None, _("Ce formulaire a expiré : vérifiez-le et envoyez-le à nouveau."))
            return self.render_form(form)


class ContributionDeclareView(DeclarationFormView):
    form_class = ContributionForm
    template_name = "contributions/contribution_form.html"

    def created(self, form):
        contribution, created = services.declare_contribution(
            author=self.request.user, token=form.cleaned_data["submission_token"], **form.values()
        )
        if not created:
            messages.info(self.request, _("Cette contribution était déjà enregistrée."))
        elif contribution.is_published:
            messages.success(self.request, _("Merci ! Votre contribution est publiée."))
        else:
            messages.success(
                self.request,
                _(
                    "Merci ! Votre contribution est enregistrée : elle sera publiée après "
                    "vérification par l’équipe du portail."
                ),
            )
        return redirect("contributions:detail", contribution.pk)


class ContributionEditView(ContributionDeclareView):
    def get_object(self):
        # Another person's contribution does not exist, for this user.
        return get_object_or_404(
            Contribution.objects.editable_by(self.request.user), pk=self.kwargs["pk"]
        )

    def updated(self, form):
        contribution = services.update_contribution(
            contribution=self.object, by=self.request.user, **form.values()
        )
        messages.success(self.request, _("La contribution est modifiée."))
        return redirect("contributions:detail", contribution.pk)


class DeclarationDeleteView(PublicAgentRequiredMixin, View):
    """GET: the shared confirmation page; POST: delete, then a message."""

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        context = {
            "title": self.title,
            "description": self.describe(obj),
            "cancel_url": self.cancel_url(obj),
        }
        return render(request, "confirm_delete.html", context)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        self.delete(obj)
        return redirect(self.success_url)


class ContributionDeleteView(DeclarationDeleteView):
    title = gettext_lazy("Supprimer une contribution")
    success_url = "contributions:index"

    def describe(self, contribution):
        return _(
            "Voulez-vous vraiment supprimer la contribution « %(project)s : %(kind)s » ? "
            "Elle disparaîtra du portail et de ses exports."
        ) % {"project": contribution.project_name, "kind": contribution.get_kind_display()}

    def cancel_url(self, contribution):
        return reverse("contributions:detail", args=[contribution.pk])

    def get_object(self):
        return get_object_or_404(
            Contribution.objects.editable_by(self.request.user).select_related("public_body"),
            pk=self.kwargs["pk"],
        )

    def delete(self, contribution):
        withdraw(row=contribution)
        messages.success(
            self.request,
            _("La contribution à %(project)s est supprimée.")
            % {"project": contribution.project_name},
        )


# --- Unpublished code -----------------------------------------------------------------------


class UnpublishedCodeListView(PublicAgentRequiredMixin, View):
    """For agents only: the published entries, plus the user's own whatever their status."""

    def get(self, request):
        filterset, queryset = filters.filter_unpublished_code(request.GET, user=request.user)
        page, _per_page = paginate(
            request, queryset.for_list().order_by("planned_on", "name", "pk")
        )
        return render(
            request,
            "contributions/unpublished_list.html",
            {
                "filterset": filterset,
                "page_obj": page,
                "entries": page.object_list,
                "facets": filters.unpublished_facets(queryset),
                "active_filters": active_filters(filterset),
                "query": searched_text(filterset),
            },
        )


class UnpublishedCodeDeclareView(DeclarationFormView):
    form_class = UnpublishedCodeForm
    template_name = "contributions/unpublished_form.html"

    def created(self, form):
        code, created = services.declare_unpublished_code(
            author=self.request.user, token=form.cleaned_data["submission_token"], **form.values()
        )
        if not created:
            messages.info(self.request, _("Ce code était déjà enregistré."))
        elif code.is_published:
            messages.success(
                self.request, _("Merci ! Ce code figure maintenant dans l’inventaire.")
            )
        else:
            messages.success(
                self.request,
                _(
                    "Merci ! Ce code est enregistré : les autres agents le verront après "
                    "vérification par l’équipe du portail."
                ),
            )
        return redirect(f"{reverse('unpublished:index')}#code-{code.pk}")


class UnpublishedCodeEditView(UnpublishedCodeDeclareView):
    def get_object(self):
        return get_object_or_404(
            UnpublishedCode.objects.editable_by(self.request.user), pk=self.kwargs["pk"]
        )

    def updated(self, form):
        code = services.update_unpublished_code(
            code=self.object, by=self.request.user, **form.values()
        )
        messages.success(
            self.request, _("L’entrée « %(name)s » est modifiée.") % {"name": code.name}
        )
        return redirect(f"{reverse('unpublished:index')}#code-{code.pk}")


class UnpublishedCodeDeleteView(DeclarationDeleteView):
    title = gettext_lazy("Retirer du code à publier")
    success_url = "unpublished:index"

    def describe(self, code):
        return _(
            "Voulez-vous vraiment retirer « %(name)s » de l’inventaire du code à publier ?"
        ) % {"name": code.name}

    def cancel_url(self, code):
        return reverse("unpublished:index")

    def get_object(self):
        return get_object_or_404(
            UnpublishedCode.objects.editable_by(self.request.user), pk=self.kwargs["pk"]
        )

    def delete(self, code):
        withdraw(row=code)
        messages.success(
            self.request, _("L’entrée « %(name)s » est supprimée.") % {"name": code.name}
        )
