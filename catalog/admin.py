"""Back office for the catalogue. Harvested fields are read-only: the next harvest would
overwrite them; editors edit what is theirs (public bodies, forge and owner settings)."""

from django.contrib import admin

from catalog.models import Forge, HarvestRun, Owner, PublicBody, Repository

HARVEST_STATE = ("last_attempt_at", "last_success_at", "last_error")


@admin.register(PublicBody)
class PublicBodyAdmin(admin.ModelAdmin):
    list_display = ("name", "pso_id")
    search_fields = ("name", "pso_id")


@admin.register(Forge)
class ForgeAdmin(admin.ModelAdmin):
    list_display = (
        "host",
        "kind",
        "harvest_whole",
        "is_active",
        "ignored_since",
        "last_success_at",
    )
    list_filter = ("kind", "harvest_whole", "is_active")
    search_fields = ("host", "pso_id")
    autocomplete_fields = ("public_body",)
    readonly_fields = HARVEST_STATE


@admin.register(Owner)
class OwnerAdmin(admin.ModelAdmin):
    list_display = (
        "path",
        "forge",
        "kind",
        "listed",
        "is_active",
        "ignored_since",
        "last_success_at",
    )
    list_filter = ("listed", "is_active", "kind", "forge__kind")
    search_fields = ("path", "name", "pso_id")
    list_select_related = ("forge",)
    autocomplete_fields = ("public_body",)
    readonly_fields = (
        "remote_id",
        "kind",
        "name",
        "description",
        "avatar_url",
        "website",
        "email",
        "location",
        "forge_created_at",
        "raw",
        *HARVEST_STATE,
    )
    exclude = ("conditional_state",)


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    list_display = ("full_path", "forge", "license_spdx", "score", "stars", "gone_since")
    list_filter = ("forge__kind", "is_archived", "is_fork", "publiccode_valid")
    search_fields = ("full_path", "description")
    list_select_related = ("forge",)
    date_hierarchy = "updated_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(HarvestRun)
class HarvestRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "forge",
        "owner",
        "status",
        "seen",
        "created",
        "updated",
        "gone",
        "requests",
        "not_modified",
    )
    list_filter = ("status", "forge__kind")
    list_select_related = ("forge", "owner")
    date_hierarchy = "started_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
