"""Back office for the editorial content: guide pages and home page highlights."""

from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from editorial import guides
from editorial.models import GuidePage, Highlight


@admin.register(GuidePage)
class GuidePageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "status", "placement", "order", "updated_at", "preview_link")
    list_filter = ("status", "placement")
    search_fields = ("title", "slug", "body")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("updated_at", "published_at", "preview_link", "rendered_body")
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body")}),
        (_("Publication"), {"fields": ("status", "placement", "order", "published_at")}),
        (
            _("Aperçu"),
            {"fields": ("preview_link", "rendered_body", "updated_at")},
        ),
    )

    @admin.display(description=_("Aperçu"))
    def preview_link(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}?apercu=1" target="_blank" rel="noopener">{}</a>',
            obj.get_absolute_url(),
            _("Prévisualiser"),
        )

    @admin.display(description=_("Rendu du contenu"))
    def rendered_body(self, obj):
        # Sanitised by nh3 in render_markdown: only formatting, links and images remain.
        return format_html(
            '<div class="codegouv-guide-preview">{}</div>',
            mark_safe(obj.rendered_body()),  # noqa: S308
        )

    def save_model(self, request, obj, form, change):
        obj.stamp_publication()
        super().save_model(request, obj, form, change)
        guides.forget_linked_pages()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        guides.forget_linked_pages()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        guides.forget_linked_pages()


class PeriodFilter(admin.SimpleListFilter):
    title = _("période")
    parameter_name = "periode"

    def lookups(self, request, model_admin):
        return (
            ("active", pgettext_lazy("highlight period", "en cours")),
            ("upcoming", _("à venir")),
            ("past", _("terminées")),
        )

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.active(now)
        if self.value() == "upcoming":
            return queryset.upcoming(now)
        if self.value() == "past":
            return queryset.past(now)
        return queryset


@admin.register(Highlight)
class HighlightAdmin(admin.ModelAdmin):
    list_display = ("title", "target", "order", "period")
    list_filter = (PeriodFilter,)
    search_fields = ("title", "text")
    list_select_related = ("repository__forge", "software", "contribution")
    autocomplete_fields = ("repository", "software", "contribution")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("title", "text", "image_url")}),
        (
            _("Cible"),
            {
                "fields": ("repository", "software", "contribution", "url"),
                "description": _(
                    "Exactement une : un dépôt, un logiciel du SILL, une contribution "
                    "déclarée ou une adresse web."
                ),
            },
        ),
        (_("Affichage"), {"fields": ("order", "start_at", "end_at")}),
    )

    @admin.display(description=_("cible"))
    def target(self, obj):
        return obj.repository or obj.software or obj.contribution or obj.url

    @admin.display(description=_("période"), ordering="start_at")
    def period(self, obj):
        start = timezone.localtime(obj.start_at).strftime("%d/%m/%Y %H:%M")
        if obj.end_at is None:
            return _("depuis le %(start)s") % {"start": start}
        end = timezone.localtime(obj.end_at).strftime("%d/%m/%Y %H:%M")
        return _("du %(start)s au %(end)s") % {"start": start, "end": end}
