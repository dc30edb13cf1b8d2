from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from contributions import services
from contributions.forms import MAX_EVIDENCE_LINKS, evidence_links
from contributions.models import Contribution, UnpublishedCode
from moderation.admin import ModerationAdminMixin


class ContributionAdminForm(forms.ModelForm):
    """The evidence links one per line, as agents type them, never as raw JSON (the admin
    adds the model and its fields)."""

    evidence_urls = forms.CharField(
        label=_("Preuves (liens)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Une adresse par ligne, %(max)s au plus.") % {"max": MAX_EVIDENCE_LINKS},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["evidence_urls"] = "\n".join(self.initial.get("evidence_urls") or [])

    def clean_evidence_urls(self):
        return evidence_links(self.cleaned_data["evidence_urls"])


@admin.register(Contribution)
class ContributionAdmin(ModerationAdminMixin, admin.ModelAdmin):
    form = ContributionAdminForm
    list_display = (
        "project_name",
        "kind",
        "public_body",
        "author",
        "started_on",
        "moderation_status",
    )
    list_filter = ("kind",)
    list_select_related = ("public_body", "author")
    search_fields = ("project_name", "project_url", "description", "public_body__name")
    autocomplete_fields = ("author", "public_body", "repository", "software")
    date_hierarchy = "started_on"
    readonly_fields = ("created_at", "updated_at")


@admin.register(UnpublishedCode)
class UnpublishedCodeAdmin(ModerationAdminMixin, admin.ModelAdmin):
    list_display = ("name", "public_body", "author", "planned_on", "published", "moderation_status")
    list_filter = (("published_repository", admin.EmptyFieldListFilter),)
    list_select_related = ("public_body", "author", "published_repository")
    search_fields = ("name", "description", "public_body__name")
    autocomplete_fields = ("author", "public_body", "published_repository")
    readonly_fields = ("published_at", "created_at", "updated_at")

    @admin.display(description=_("publié"), boolean=True)
    def published(self, obj):
        return obj.published_repository_id is not None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Linking the repository is the editor's "mark published": the service dates it.
        if obj.published_repository_id and obj.published_at is None:
            services.mark_published(obj, repository=obj.published_repository, by=request.user)
