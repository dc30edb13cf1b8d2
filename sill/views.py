from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.mixins import PublicAgentRequiredMixin
from accounts.policy import is_public_agent
from catalog.exports import download_response, json_response
from catalog.filters import searched_text
from catalog.models import Repository
from catalog.views import active_filters, paginate
from codegouv.moderation import ModerationStatus, resubmitted
from codegouv.services import withdraw
from sill import exports, filters, services
from sill.enums import DeclarationKind
from sill.forms import (
    DeclarationCreateForm,
    DeclarationForm,
    InstanceCreateForm,
    InstanceForm,
    ProposalCreateForm,
    ProposalForm,
)
from sill.models import Declaration, Instance, Software
from sill.wikidata import effective_value

# The French path segment of /sill/<slug>/declarer/<kind>/ for each kind of declaration.
KIND_SEGMENTS = {"utilisateur": DeclarationKind.USER, "referent": DeclarationKind.REFERENT}
SEGMENT_OF_KIND = {kind: segment for segment, kind in KIND_SEGMENTS.items()}


def software_list(request):
    filterset, queryset = filters.filter_software(request.GET)
    searching = bool(searched_text(filterset))
    sort, order = filters.sort_order(request.GET, searching=searching)
    if request.GET.get("format") in ("csv", "json"):
        rows = exports.software_rows(
            queryset.order_by(*filters.SORTS["name"]),
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        return download_response(
            request, rows, exports.SOFTWARE_COLUMNS, fmt=request.GET["format"], stem="sill"
        )
    page, _per_page = paginate(request, queryset.for_list().order_by(*order))
    return render(
        request,
        "sill/software_list.html",
        {
            "filterset": filterset,
            "page_obj": page,
            "software_list": page.object_list,
            "facets": filters.facet_counts(queryset),
            "active_filters": active_filters(filterset),
            "query": searched_text(filterset),
            "sort": sort,
            "sorts": [
                (key, label)
                for key, label in filters.SORT_LABELS.items()
                if key != "relevance" or searching
            ],
        },
    )


def catalogi_export(request):
    return json_response(exports.catalogi_rows(), filename="sill.json")


def software_detail(request, slug):
    software = get_object_or_404(
        Software.objects.visible_to(request.user)
        .select_related("parent")
        .prefetch_related("external_values"),
        slug=slug,
    )
    external = list(software.external_values.all())
    provenance = []
    for field, label in (
        ("website", _("Site web")),
        ("source_repository", _("Code source")),
        ("license", _("Licence")),
        ("latest_version", _("Dernière version")),
        ("logo", _("Logo")),
    ):
        value, source = effective_value(software, field, external)
        if value:
            fetched = next((v.fetched_at for v in external if v.field == field), None)
            provenance.append(
                {
                    "label": label,
                    "value": value,
                    "source": source,
                    "fetched_at": fetched if source == "wikidata" else None,
                }
            )
    by_body = (
        software.declarations.published()
        .values("public_body__name", "public_body__pso_id")
        .annotate(
            users=Count("pk", filter=Q(kind=DeclarationKind.USER)),
            referents=Count("pk", filter=Q(kind=DeclarationKind.REFERENT)),
        )
        .order_by("public_body__name")
    )
    instances = software.instances.published().select_related("public_body")
    agents = []
    can_declare = is_public_agent(request.user)
    if can_declare:
        # Names, addresses and internal services are for fellow agents only.
        agents = list(
            software.declarations.published()
            .filter(user__isnull=False)
            .select_related("user", "public_body")
            .order_by("public_body__name", "kind")
        )
    else:
        instances = instances.filter(is_public=True)
    own_declarations, own_instances = [], []
    if can_declare:
        # What the agent declared, whatever its moderation status, to edit or withdraw it.
        own_declarations = list(software.declarations.filter(user=request.user).order_by("kind"))
        own_instances = list(software.instances.filter(user=request.user).order_by("url"))
    declared_kinds = {declaration.kind for declaration in own_declarations}
    repositories = Repository.objects.visible().for_list()
    related = Q(pk=software.source_repository_id) if software.source_repository_id else Q()
    related |= Q(publiccode__name__iexact=software.name)
    return render(
        request,
        "sill/software_detail.html",
        {
            "software": software,
            "provenance": provenance,
            "agents": agents,
            "declarations_by_body": list(by_body),
            "instances": list(instances),
            "similar": list(software.similar.published().order_by("name")),
            "children": list(software.children.published().order_by("name")),
            "repositories": list(repositories.filter(related).order_by("-score")[:6]),
            "can_declare": can_declare,
            "own_declarations": own_declarations,
            "own_instances": own_instances,
            "declare_links": [
                {"kind": kind, "segment": SEGMENT_OF_KIND[kind], "label": label}
                for kind, label in (
                    (DeclarationKind.USER, _("Je l’utilise")),
                    (DeclarationKind.REFERENT, _("Je suis référent")),
                )
                if kind not in declared_kinds
            ],
        },
    )


def created_message(request, row, *, published, pending):
    if row.moderation_status == ModerationStatus.PUBLISHED:
        messages.success(request, published)
    else:
        messages.success(request, pending)


class DeclareView(PublicAgentRequiredMixin, View):
    """/sill/<slug>/declarer/<utilisateur|referent>/: "I use it" or "I am a referent"."""

    template_name = "sill/declaration_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if kwargs["kind"] not in KIND_SEGMENTS:
            raise Http404("unknown kind of declaration")
        self.kind = KIND_SEGMENTS[kwargs["kind"]]

    def software(self):
        return get_object_or_404(
            Software.objects.visible_to(self.request.user), slug=self.kwargs["slug"]
        )

    def render(self, software, form=None, existing=None):
        return TemplateResponse(
            self.request,
            self.template_name,
            {
                "software": software,
                "kind": self.kind,
                "kind_label": DeclarationKind(self.kind).label,
                "form": form,
                "existing": existing,
                "creating": True,
            },
        )

    def get(self, request, slug, kind):
        software = self.software()
        existing = Declaration.objects.filter(
            user=request.user, software=software, kind=self.kind
        ).first()
        form = None
        if existing is None and request.user.public_body_id:
            form = DeclarationCreateForm(kind=self.kind)
        return self.render(software, form, existing)

    def post(self, request, slug, kind):
        software = self.software()
        if not request.user.public_body_id:
            return self.render(software)
        form = DeclarationCreateForm(request.POST, kind=self.kind)
        if not form.is_valid():
            return self.render(software, form)
        values = dict(form.cleaned_data)
        token = values.pop("submission_token")
        try:
            declaration, created = services.declare(
                user=request.user, software=software, kind=self.kind, token=token, **values
            )
        except services.AlreadyDeclared as error:
            return self.render(software, existing=error.declaration)
        except PermissionError:
            raise PermissionDenied from None
        if created:
            created_message(
                request,
                declaration,
                published=_("Votre déclaration est publiée. Merci !"),
                pending=_(
                    "Votre déclaration est enregistrée. Elle sera publiée après validation "
                    "par l’équipe éditoriale."
                ),
            )
        return redirect(reverse("sill:detail", args=[software.slug]) + "#mes-declarations")


class OwnRowMixin(PublicAgentRequiredMixin):
    """Edit or delete one row the agent declared; another agent's row is a 404."""

    model = None

    def get_object(self):
        return get_object_or_404(
            self.model.objects.select_related("software").editable_by(self.request.user),
            pk=self.kwargs["pk"],
        )

    def done_url(self, row):
        if Software.objects.visible_to(self.request.user).filter(pk=row.software_id).exists():
            return reverse("sill:detail", args=[row.software.slug]) + "#mes-declarations"
        return reverse("accounts:profile")


class DeclarationEditView(OwnRowMixin, View):
    model = Declaration
    template_name = "sill/declaration_form.html"

    def render(self, declaration, form):
        return TemplateResponse(
            self.request,
            self.template_name,
            {
                "software": declaration.software,
                "kind": declaration.kind,
                "kind_label": declaration.get_kind_display(),
                "form": form,
                "declaration": declaration,
                "existing": None,
                "creating": False,
            },
        )

    def get(self, request, pk):
        declaration = self.get_object()
        return self.render(
            declaration, DeclarationForm(instance=declaration, kind=declaration.kind)
        )

    def post(self, request, pk):
        declaration = self.get_object()
        form = DeclarationForm(request.POST, instance=declaration, kind=declaration.kind)
        if not form.is_valid():
            return self.render(declaration, form)
        services.update_declared(row=declaration, values=form.cleaned_data, by=request.user)
        messages.success(request, _("Votre déclaration est modifiée."))
        return redirect(self.done_url(declaration))


class ConfirmDeleteMixin:
    """GET: a confirmation page; POST: delete, then a message."""

    template_name = "confirm_delete.html"
    deleted_message = ""

    def describe(self, row):
        return str(row)

    def cancel_url(self, row):
        return self.done_url(row)

    def get(self, request, pk):
        row = self.get_object()
        return TemplateResponse(
            request,
            self.template_name,
            {
                "object": row,
                "title": self.title,
                "description": self.describe(row),
                "cancel_url": self.cancel_url(row),
            },
        )

    def post(self, request, pk):
        row = self.get_object()
        url = self.done_url(row)
        withdraw(row=row)
        messages.success(request, self.deleted_message)
        return redirect(url)


class DeclarationDeleteView(OwnRowMixin, ConfirmDeleteMixin, View):
    model = Declaration
    title = _("Retirer ma déclaration")
    deleted_message = _("Votre déclaration est retirée.")

    def describe(self, row):
        return _("Vous ne serez plus compté comme %(kind)s de %(software)s.") % {
            "kind": row.get_kind_display(),
            "software": row.software.name,
        }


class InstanceAddView(PublicAgentRequiredMixin, View):
    """/sill/<slug>/instances/ajouter/: a deployed service running the software."""

    template_name = "sill/instance_form.html"

    def software(self):
        return get_object_or_404(
            Software.objects.visible_to(self.request.user), slug=self.kwargs["slug"]
        )

    def render(self, software, form=None):
        return TemplateResponse(
            self.request,
            self.template_name,
            {"software": software, "form": form, "creating": True},
        )

    def get(self, request, slug):
        software = self.software()
        return self.render(software, InstanceCreateForm() if request.user.public_body_id else None)

    def post(self, request, slug):
        software = self.software()
        if not request.user.public_body_id:
            return self.render(software)
        form = InstanceCreateForm(request.POST)
        if not form.is_valid():
            return self.render(software, form)
        values = dict(form.cleaned_data)
        token = values.pop("submission_token")
        try:
            instance, created = services.add_instance(
                user=request.user, software=software, token=token, **values
            )
        except PermissionError:
            raise PermissionDenied from None
        if created:
            created_message(
                request,
                instance,
                published=_("L’instance est publiée. Merci !"),
                pending=_(
                    "L’instance est enregistrée. Elle sera publiée après validation par "
                    "l’équipe éditoriale."
                ),
            )
        return redirect(reverse("sill:detail", args=[software.slug]) + "#mes-declarations")


class InstanceEditView(OwnRowMixin, View):
    model = Instance
    template_name = "sill/instance_form.html"

    def render(self, instance, form):
        return TemplateResponse(
            self.request,
            self.template_name,
            {"software": instance.software, "form": form, "instance": instance, "creating": False},
        )

    def get(self, request, pk):
        instance = self.get_object()
        return self.render(instance, InstanceForm(instance=instance))

    def post(self, request, pk):
        instance = self.get_object()
        form = InstanceForm(request.POST, instance=instance)
        if not form.is_valid():
            return self.render(instance, form)
        services.update_declared(row=instance, values=form.cleaned_data, by=request.user)
        messages.success(request, _("L’instance est modifiée."))
        return redirect(self.done_url(instance))


class InstanceDeleteView(OwnRowMixin, ConfirmDeleteMixin, View):
    model = Instance
    title = _("Retirer l’instance")
    deleted_message = _("L’instance est retirée.")

    def describe(self, row):
        return _("L’instance %(url)s de %(software)s ne sera plus montrée.") % {
            "url": row.url,
            "software": row.software.name,
        }


class ProposeView(PublicAgentRequiredMixin, View):
    """/sill/proposer/: a new software, listed once an editor validates it."""

    template_name = "sill/proposal_form.html"

    def render(self, form):
        return TemplateResponse(self.request, self.template_name, {"form": form, "creating": True})

    def get(self, request):
        return self.render(ProposalCreateForm(user=request.user))

    def post(self, request):
        # The same form sent again: its software exists now, and the name check would refuse it.
        already = resubmitted(Software, request.POST.get("submission_token"), request.user)
        if already is not None:
            return redirect("sill:detail", slug=already.slug)
        form = ProposalCreateForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render(form)
        values = dict(form.cleaned_data)
        token = values.pop("submission_token")
        try:
            software, created = services.propose_software(user=request.user, token=token, **values)
        except PermissionError:
            raise PermissionDenied from None
        if created:
            messages.success(
                request,
                _(
                    "Merci ! Votre proposition est enregistrée. L’équipe éditoriale la validera "
                    "avant qu’elle n’apparaisse dans le SILL."
                ),
            )
        return redirect("sill:detail", slug=software.slug)


class OwnProposalMixin(PublicAgentRequiredMixin):
    """The agent's own proposals, while they wait for the editors."""

    def get_object(self):
        return get_object_or_404(
            Software.objects.filter(
                submitted_by=self.request.user, moderation_status=ModerationStatus.PENDING
            ).defer("search_vector"),
            pk=self.kwargs["pk"],
        )

    def done_url(self, row):
        return reverse("accounts:profile")


class ProposalEditView(OwnProposalMixin, View):
    template_name = "sill/proposal_form.html"

    def render(self, software, form):
        return TemplateResponse(
            self.request,
            self.template_name,
            {"form": form, "software": software, "creating": False},
        )

    def get(self, request, pk):
        software = self.get_object()
        initial = {
            "name": software.name,
            "function": software.function,
            "description": software.description_fr,
            "license": software.license,
            "website": software.website,
            "source_url": software.source_url,
            "documentation_url": software.documentation_url,
            "category": software.category,
        }
        return self.render(
            software, ProposalForm(initial=initial, user=request.user, software=software)
        )

    def post(self, request, pk):
        software = self.get_object()
        form = ProposalForm(request.POST, user=request.user, software=software)
        if not form.is_valid():
            return self.render(software, form)
        values = dict(form.cleaned_data)
        values["description_fr"] = values.pop("description")
        services.update_declared(row=software, values=values, by=request.user)
        messages.success(request, _("Votre proposition est modifiée."))
        return redirect("sill:detail", slug=software.slug)


class ProposalDeleteView(OwnProposalMixin, ConfirmDeleteMixin, View):
    title = _("Retirer ma proposition")
    deleted_message = _("Votre proposition est retirée.")

    def describe(self, row):
        return _(
            "La proposition « %(software)s » et les déclarations qui s’y rapportent seront "
            "supprimées."
        ) % {"software": row.name}

    def cancel_url(self, row):
        return reverse("sill:detail", args=[row.slug])
