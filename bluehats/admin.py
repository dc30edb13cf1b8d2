from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from bluehats import services
from bluehats.models import ContributorProfile, Event, GazetteIssue
from moderation.admin import ModerationAdminMixin


@admin.register(Event)
class EventAdmin(ModerationAdminMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "start_at", "status", "organiser", "moderation_status")
    list_filter = ("kind", "status")
    list_select_related = ("organiser",)
    search_fields = ("title", "description", "speakers", "place")
    autocomplete_fields = ("author", "organiser", "software", "repositories", "speaker_profiles")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "start_at"
    readonly_fields = ("uid", "sequence", "created_at", "updated_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "kind",
                    "title",
                    "slug",
                    "status",
                    "organiser",
                    "speakers",
                    "speaker_profiles",
                )
            },
        ),
        (
            _("Date et lieu (heure de Paris)"),
            {"fields": ("start_at", "end_at", "all_day", "online", "place", "online_url")},
        ),
        (_("Présentation"), {"fields": ("description", "registration_url")}),
        (_("Liens"), {"fields": ("software", "repositories")}),
        (_("Après l’événement"), {"fields": ("video_url", "slides_url", "report_url")}),
        (
            _("Suivi"),
            {"fields": ("author", "source_url", "uid", "sequence", "created_at", "updated_at")},
        ),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.editor_saved(obj, changed_fields=form.changed_data)


@admin.register(GazetteIssue)
class GazetteIssueAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "published_on")
    search_fields = ("title", "body")
    date_hierarchy = "published_on"
    readonly_fields = ("created_at", "updated_at")


@admin.register(ContributorProfile)
class ContributorProfileAdmin(admin.ModelAdmin):
    list_display = ("display_name", "slug", "is_public", "updated_at")
    list_filter = ("is_public",)
    search_fields = ("display_name", "slug")
    autocomplete_fields = ("user",)
    readonly_fields = ("updated_at",)
