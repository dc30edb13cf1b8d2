from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from moderation.admin import ModerationAdminMixin, action_form_page, with_labels
from sill import services
from sill.models import Declaration, ExternalValue, Instance, Software


class DereferenceForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison du déréférencement"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ExternalValueInline(admin.TabularInline):
    model = ExternalValue
    extra = 0
    readonly_fields = ("source", "field", "value", "fetched_at")
    can_delete = False


@admin.register(Software)
class SoftwareAdmin(ModerationAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "status",
        "moderation_status",
        "category",
        "license",
        "support_market",
        "updated_at",
    )
    list_select_related = ("submitted_by",)
    list_filter = ("status", "support_market", "category")
    search_fields = ("name", "function", "wikidata_id")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent", "source_repository", "submitted_by")
    filter_horizontal = ("similar",)
    inlines = [ExternalValueInline]
    exclude = ("search_vector",)
    actions = ["dereference", "merge_duplicates"]

    @admin.action(description=_("Déréférencer (avec une raison)"))
    def dereference(self, request, queryset):
        form = DereferenceForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            count = 0
            for software in queryset:
                services.dereference(software=software, reason=form.cleaned_data["reason"])
                self.log_change(request, software, f"Déréférencé : {form.cleaned_data['reason']}")
                count += 1
            self.message_user(
                request,
                ngettext("%d logiciel déréférencé.", "%d logiciels déréférencés.", count) % count,
                messages.SUCCESS,
            )
            return None
        return action_form_page(
            self,
            request,
            with_labels(queryset),
            form,
            action="dereference",
            title=_("Déréférencer"),
            intro=_("Logiciels à déréférencer :"),
            submit=_("Déréférencer"),
        )

    @admin.action(description=_("Fusionner les doublons dans le plus ancien"))
    def merge_duplicates(self, request, queryset):
        ordered = list(queryset.order_by("added_at", "pk"))
        if len(ordered) < 2:
            self.message_user(
                request, _("Sélectionnez au moins deux logiciels à fusionner."), messages.ERROR
            )
            return
        keep, duplicates = ordered[0], ordered[1:]
        names = ", ".join(s.name for s in duplicates)
        merged = services.merge(keep=keep, duplicates=duplicates)
        self.log_change(request, keep, f"Fusion de : {names}")
        self.message_user(
            request,
            _("%(count)d doublon(s) fusionné(s) dans « %(name)s ».")
            % {"count": merged, "name": keep.name},
            messages.SUCCESS,
        )


# Declarations whose agent typed the name of a body that is not in the list: an editor
# attaches them to the right one (public_body), the typed name stays as the agent wrote it.
UNLISTED_FILTER = ("public_body_unlisted", admin.EmptyFieldListFilter)


@admin.register(Declaration)
class DeclarationAdmin(ModerationAdminMixin, admin.ModelAdmin):
    list_display = (
        "software",
        "kind",
        "user",
        "public_body",
        "public_body_unlisted",
        "moderation_status",
        "created_at",
    )
    list_filter = ("kind", UNLISTED_FILTER)
    list_select_related = ("software", "user", "public_body")
    autocomplete_fields = ("software", "user", "public_body")
    readonly_fields = ("public_body_unlisted",)
    search_fields = (
        "software__name",
        "user__email",
        "public_body__name",
        "public_body_unlisted",
        "use_case",
    )
    date_hierarchy = "created_at"


@admin.register(Instance)
class InstanceAdmin(ModerationAdminMixin, admin.ModelAdmin):
    list_display = (
        "url",
        "software",
        "public_body",
        "public_body_unlisted",
        "user",
        "is_public",
        "moderation_status",
    )
    list_filter = ("is_public", UNLISTED_FILTER)
    list_select_related = ("software", "public_body", "user")
    autocomplete_fields = ("software", "public_body", "user")
    readonly_fields = ("public_body_unlisted",)
    search_fields = ("url", "software__name", "public_body__name", "public_body_unlisted")
