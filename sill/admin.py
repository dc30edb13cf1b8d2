from django.contrib import admin

from sill.models import Declaration, ExternalValue, Instance, Software


class ExternalValueInline(admin.TabularInline):
    model = ExternalValue
    extra = 0
    readonly_fields = ("source", "field", "value", "fetched_at")
    can_delete = False


@admin.register(Software)
class SoftwareAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "category", "license", "support_market", "updated_at")
    list_filter = ("status", "support_market", "category")
    search_fields = ("name", "function", "wikidata_id")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent", "source_repository")
    filter_horizontal = ("similar",)
    inlines = [ExternalValueInline]


@admin.register(Declaration)
class DeclarationAdmin(admin.ModelAdmin):
    list_display = ("software", "kind", "user", "public_body", "created_at")
    list_filter = ("kind",)
    list_select_related = ("software", "user", "public_body")
    autocomplete_fields = ("software", "user", "public_body")


@admin.register(Instance)
class InstanceAdmin(admin.ModelAdmin):
    list_display = ("url", "software", "public_body", "is_public")
    list_select_related = ("software", "public_body")
    autocomplete_fields = ("software", "public_body")
