from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.mixins import PublicAgentRequiredMixin
from accounts.policy import is_public_agent
from catalog.exports import base_url_of, download_response
from catalog.models import Repository
from core.listing import Listing
from moderation.models import ModerationStatus, resubmitted
from moderation.views import DeclarationDeleteView as DeclarationDeleteViewBase
from moderation.views import DeclarationFormView
from sill import catalogi, exports, filters, services
from sill.enums import DeclarationKind
from sill.forms import (
    DeclarationCreateForm,
    DeclarationForm,
    InstanceCreateForm,
    InstanceForm,
    ProposalCreateForm,
    ProposalForm,
)
from sill.models import Declaration, Instance, Software, https_logo
from sill.wikidata import effective_value

# The French path segment of /sill/<slug>/declarer/<kind>/ for each kind of declaration.
KIND_SEGMENTS = {"utilisateur": DeclarationKind.USER, "referent": DeclarationKind.REFERENT}
SEGMENT_OF_KIND = {kind: segment for segment, kind in KIND_SEGMENTS.items()}


def export_software(queryset, fmt, request, *, name_parts=()):
    """Every filtered software, by name whatever the page's sort."""
    rows = exports.software_rows(
        queryset.order_by(*filters.SORTS["name"]),
        base_url=base_url_of(request),
    )
    return download_response(
        request, rows, exports.SOFTWARE_COLUMNS, fmt=fmt, stem="sill", name_parts=name_parts
    )


SOFTWARE_LISTING = Listing(
    filterset_class=filters.SoftwareFilter,
    template="sill/software_list.html",
    rows_name="software_list",
    export=export_software,
    facets=filters.facet_counts,
)


def software_list(request):
    return SOFTWARE_LISTING.response(request, Software.objects.published())


@require_safe
def catalogi_export(request):
    """The whole SILL in Catalogi's format (sill.catalogi), from the cache; a 304 when the
    client holds the same document. Any origin may read it (open data, no credentials)."""
    body, etag = catalogi.cached_document()
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    return response  # CORS: django-cors-headers (CORS_URLS_REGEX), with Vary: Origin


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
    can_declare = is_public_agent(request.user)
    own_declarations, own_instances = [], []
    if can_declare:
        # What the agent declared, whatever its moderation status, to edit or withdraw it.
        own_declarations = list(software.declarations.declared_by(request.user))
        own_instances = list(software.instances.declared_by(request.user))
    declared_kinds = {declaration.kind for declaration in own_declarations}
    published = software.declarations.published()
    repositories = (
        Repository.objects.visible()
        .for_list()
        .of_software(name=software.name, source_repository_id=software.source_repository_id)
    )
    return render(
        request,
        "sill/software_detail.html",
        {
            "software": software,
            "logo_src": https_logo(effective_value(software, "logo", external)[0]),
            "provenance": provenance,
            "agents": list(published.agents()) if can_declare else [],
            "declarations_by_body": list(published.counts_by_public_body()),
            "instances": list(software.instances.published().shown_to(agent=can_declare)),
            "similar": list(software.similar.published().order_by("name")),
            "children": list(software.children.published().order_by("name")),
            "repositories": list(repositories[:6]),
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


class SoftwareChildMixin(PublicAgentRequiredMixin):
    """Declarations and instances hang off a software: created from its page, back to it."""

    @cached_property
    def parent(self):
        """The software a new row hangs off (the URL's slug); None when editing a row."""
        if "slug" not in self.kwargs:
            return None
        return get_object_or_404(
            Software.objects.visible_to(self.request.user), slug=self.kwargs["slug"]
        )

    def editable_rows(self):
        return super().editable_rows().select_related("software")

    def may_declare(self):
        """A new row needs the agent's public body (chosen from the list, or named when it is
        not in it); editing their own row does not."""
        return self.object is not None or self.request.user.public_body_given

    def get_context_data(self, **context):
        software = self.object.software if self.object else self.parent
        return super().get_context_data(software=software, **context)

    def update(self, form):
        services.update_declared(row=self.object, values=form.cleaned_data, by=self.request.user)
        return self.object

    def success_url(self, row):
        if Software.objects.visible_to(self.request.user).filter(pk=row.software_id).exists():
            return reverse("sill:detail", args=[row.software.slug]) + "#mes-declarations"
        return reverse("accounts:profile")


class DeclarationView(SoftwareChildMixin, DeclarationFormView):
    """/sill/<slug>/declarer/<utilisateur|referent>/ ("I use it", "I am a referent") and
    /sill/declarations/<pk>/modifier/."""

    model = Declaration
    template_name = "sill/declaration_form.html"
    success_messages = {
        "published": _("Votre déclaration est publiée. Merci !"),
        "pending": _(
            "Votre déclaration est enregistrée. Elle sera publiée après validation "
            "par l’équipe éditoriale."
        ),
        "updated": _("Votre déclaration est modifiée."),
    }

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if "kind" in kwargs and kwargs["kind"] not in KIND_SEGMENTS:
            raise Http404("unknown kind of declaration")
        self.kind = KIND_SEGMENTS.get(kwargs.get("kind"))

    def get_object(self):
        row = super().get_object()
        if row is not None:
            self.kind = row.kind
        return row

    # The agent's declaration of this kind on this software, shown instead of a form.
    already = None

    def get(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            self.already = Declaration.objects.filter(
                user=request.user, software=self.parent, kind=self.kind
            ).first()
        return super().get(request, *args, **kwargs)

    def may_declare(self):
        # On a POST, the service finds an existing declaration (after a resubmitted token).
        return self.already is None and super().may_declare()

    def get_form_kwargs(self):
        return {"kind": self.kind, "instance": self.object}

    def get_form(self, data=None):
        form_class = DeclarationForm if self.object else DeclarationCreateForm
        return form_class(data, **self.get_form_kwargs())

    def get_context_data(self, **context):
        return super().get_context_data(
            kind=self.kind,
            kind_label=DeclarationKind(self.kind).label,
            existing=self.already,
            **context,
        )

    def create(self, form):
        token, values = self.submitted(form)
        try:
            return services.declare(
                user=self.request.user, software=self.parent, kind=self.kind, token=token, **values
            )
        except services.AlreadyDeclared as error:
            self.already = error.declaration
            return self.render_form(None)


class DeclarationDeleteView(SoftwareChildMixin, DeclarationDeleteViewBase):
    model = Declaration
    title = _("Retirer ma déclaration")
    deleted_message = _("Votre déclaration est retirée.")

    def describe(self, row):
        return _("Vous ne serez plus compté comme %(kind)s de %(software)s.") % {
            "kind": row.get_kind_display(),
            "software": row.software.name,
        }


class InstanceView(SoftwareChildMixin, DeclarationFormView):
    """/sill/<slug>/instances/ajouter/ (a deployed service running the software) and
    /sill/instances/<pk>/modifier/."""

    model = Instance
    template_name = "sill/instance_form.html"
    success_messages = {
        "published": _("L’instance est publiée. Merci !"),
        "pending": _(
            "L’instance est enregistrée. Elle sera publiée après validation par "
            "l’équipe éditoriale."
        ),
        "updated": _("L’instance est modifiée."),
    }

    def get_form(self, data=None):
        if self.object:
            return InstanceForm(data, instance=self.object)
        return InstanceCreateForm(data)

    def create(self, form):
        token, values = self.submitted(form)
        return services.add_instance(
            user=self.request.user, software=self.parent, token=token, **values
        )


class InstanceDeleteView(SoftwareChildMixin, DeclarationDeleteViewBase):
    model = Instance
    title = _("Retirer l’instance")
    deleted_message = _("L’instance est retirée.")

    def describe(self, row):
        return _("L’instance %(url)s de %(software)s ne sera plus montrée.") % {
            "url": row.url,
            "software": row.software.name,
        }


class ProposalMixin(PublicAgentRequiredMixin):
    """The agent's own proposals, while they wait for the editors."""

    model = Software

    def editable_rows(self):
        return Software.objects.filter(
            submitted_by=self.request.user, moderation_status=ModerationStatus.PENDING
        ).defer("search_vector")


class ProposalView(ProposalMixin, DeclarationFormView):
    """/sill/proposer/: a new software, listed once an editor validates it; and
    /sill/propositions/<pk>/modifier/."""

    template_name = "sill/proposal_form.html"
    success_messages = {
        "published": _(
            "Merci ! Votre proposition est enregistrée. L’équipe éditoriale la validera "
            "avant qu’elle n’apparaisse dans le SILL."
        ),
        "updated": _("Votre proposition est modifiée."),
    }
    success_messages["pending"] = success_messages["published"]

    def get_form(self, data=None):
        if self.object is None:
            return ProposalCreateForm(data, user=self.request.user)
        initial = {
            "name": self.object.name,
            "function": self.object.function,
            "description": self.object.description_fr,
            "license": self.object.license,
            "website": self.object.website,
            "source_url": self.object.source_url,
            "documentation_url": self.object.documentation_url,
            "category": self.object.category,
        }
        return ProposalForm(data, initial=initial, user=self.request.user, software=self.object)

    def get_context_data(self, **context):
        return super().get_context_data(software=self.object, **context)

    def post(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            # The same form sent again: its software exists now, and the name check would
            # refuse it.
            already = resubmitted(Software, request.POST.get("submission_token"), request.user)
            if already is not None:
                return redirect("sill:detail", slug=already.slug)
        return super().post(request, *args, **kwargs)

    def create(self, form):
        token, values = self.submitted(form)
        return services.propose_software(user=self.request.user, token=token, **values)

    def update(self, form):
        values = dict(form.cleaned_data)
        values["description_fr"] = values.pop("description")
        services.update_declared(row=self.object, values=values, by=self.request.user)
        return self.object

    def success_url(self, row):
        return reverse("sill:detail", args=[row.slug])


class ProposalDeleteView(ProposalMixin, DeclarationDeleteViewBase):
    title = _("Retirer ma proposition")
    deleted_message = _("Votre proposition est retirée.")

    def describe(self, row):
        return _(
            "La proposition « %(software)s » et les déclarations qui s’y rapportent seront "
            "supprimées."
        ) % {"software": row.name}

    def cancel_url(self, row):
        return reverse("sill:detail", args=[row.slug])

    def success_url(self, row):
        return reverse("accounts:profile")
