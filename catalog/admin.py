"""Back office for the catalogue. Harvested fields are read-only: the next harvest would
overwrite them; editors edit what is theirs (public bodies, forge and owner settings)."""

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import awesome, tasks
from catalog.enums import NameSource
from catalog.listing_cache import bump_catalog_version
from catalog.models import (
    AWESOME_CRITERIA,
    Forge,
    HarvestRun,
    Library,
    Owner,
    PublicBody,
    Repository,
    SaveRequest,
)
from catalog.services import archive, harvest
from catalog.services.accounts_export import export_accounts
from catalog.services.public_bodies import rename
from core.db import longer_statements
from core.tasks import enqueue, enqueue_each

HARVEST_STATE = ("last_attempt_at", "last_success_at", "last_error")


def report_unqueued(model_admin, request, *, queued: int, total: int) -> bool:
    """Tell the editor when the broker did not take every harvest task: whether it did not."""
    if queued == total:
        return False
    if queued == 0:
        message = _(
            "La file des tâches est indisponible : aucune collecte n’a été lancée et rien n’a "
            "été modifié. Réessayez dans quelques minutes."
        )
    else:
        message = _(
            "La file des tâches est devenue indisponible : %(queued)d collecte(s) sur "
            "%(total)d mise(s) en file, les autres non. Réessayez dans quelques minutes."
        ) % {"queued": queued, "total": total}
    model_admin.message_user(request, message, messages.ERROR)
    return True


def formatted_json(value) -> str:
    return format_html(
        '<pre class="codegouv-admin-json">{}</pre>',  # css/admin.css: no inline style (CSP)
        json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str),
    )


# Seconds an editor's change of a body, forge or owner may take: the database triggers of
# catalog 0021 rewrite every repository concerned in the same statement (a forge run
# whole by a body may hold tens of thousands), past the web requests' 2 s.
CASCADING_WRITE_TIMEOUT = 120_000  # milliseconds


class CascadingWrites:
    """A ModelAdmin whose saves and deletions move repositories' public bodies (catalog
    0021): they run without the web statement timeout's 2 s."""

    def save_model(self, request, obj, form, change):
        with longer_statements(CASCADING_WRITE_TIMEOUT):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with longer_statements(CASCADING_WRITE_TIMEOUT):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with longer_statements(CASCADING_WRITE_TIMEOUT):
            super().delete_queryset(request, queryset)


@admin.register(PublicBody)
class PublicBodyAdmin(CascadingWrites, admin.ModelAdmin):
    list_display = ("name", "acronym", "ministry", "name_source", "slug")
    list_filter = ("name_source", "is_ministry")
    list_select_related = ("ministry",)
    search_fields = ("name", "acronym", "pso_id", "slug")
    readonly_fields = ("name_source", "slug")
    autocomplete_fields = ("parent", "ministry")

    def save_model(self, request, obj, form, change):
        # An editor's name is kept: no list import replaces it; the address follows it.
        if "name" in form.changed_data:
            rename(obj, obj.name, NameSource.EDITOR if obj.name else "")
        super().save_model(request, obj, form, change)


@admin.register(Forge)
class ForgeAdmin(CascadingWrites, admin.ModelAdmin):
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
    exclude = ("conditional_state",)
    actions = ["harvest_now", "export_yaml", "deactivate"]

    @admin.action(description=_("Collecter maintenant"))
    def harvest_now(self, request, queryset):
        owners, forges = harvest.targets(queryset)
        forges = list(forges.values_list("pk", flat=True))
        owners = list(owners.values_list("pk", flat=True))
        # Nothing is written here, so nothing to wait for: enqueue now and say how it went.
        queued = enqueue_each(tasks.harvest_forge, [(pk,) for pk in forges])
        if queued == len(forges):
            queued += enqueue_each(tasks.harvest_owner, [(pk,) for pk in owners])
        if report_unqueued(self, request, queued=queued, total=len(forges) + len(owners)):
            return
        self.message_user(
            request,
            _("%(forges)d forge(s) et %(owners)d compte(s) mis en file de collecte.")
            % {"forges": len(forges), "owners": len(owners)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Exporter la liste des comptes (YAML)"))
    def export_yaml(self, request, queryset):
        response = HttpResponse(
            export_accounts(queryset), content_type="application/yaml; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="comptes-organismes-publics.yml"'
        return response

    @admin.action(description=_("Désactiver"))
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False)
        self.message_user(
            request, ngettext("%d forge désactivée.", "%d forges désactivées.", count) % count
        )


@admin.register(Owner)
class OwnerAdmin(CascadingWrites, admin.ModelAdmin):
    list_display = (
        "path",
        "forge",
        "listed",
        "is_active",
        "repository_count",
        "last_success_at",
        "short_error",
    )
    list_filter = ("listed", "is_active", "kind", "forge__kind")
    search_fields = ("path", "name", "pso_id", "forge__host")
    list_select_related = ("forge",)
    autocomplete_fields = ("public_body", "forge")
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
        "repository_count",
        "star_count",
        "last_activity_at",
        "raw_payload",
        *HARVEST_STATE,
    )
    exclude = ("conditional_state", "raw")
    actions = ["harvest_now", "deactivate"]

    @admin.display(description=_("dernière erreur"))
    def short_error(self, owner):
        return owner.last_error[:80]

    @admin.display(description=_("réponse brute de la forge"))
    def raw_payload(self, owner):
        return formatted_json(owner.raw)

    @admin.action(description=_("Collecter maintenant"))
    def harvest_now(self, request, queryset):
        owner_ids = list(queryset.values_list("pk", flat=True))
        queued = enqueue_each(tasks.harvest_owner, [(pk,) for pk in owner_ids])
        if report_unqueued(self, request, queued=queued, total=len(owner_ids)):
            return
        self.message_user(
            request,
            ngettext(
                "%d compte mis en file de collecte.",
                "%d comptes mis en file de collecte.",
                len(owner_ids),
            )
            % len(owner_ids),
            messages.SUCCESS,
        )

    @admin.action(description=_("Désactiver"))
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False)
        self.message_user(
            request, ngettext("%d compte désactivé.", "%d comptes désactivés.", count) % count
        )


AWESOME_FIELDS = ("awesome_checked_at", *AWESOME_CRITERIA, "awesome_note")


class AwesomeForm(forms.ModelForm):
    """A checked date means the five criteria were checked: all of them, or none."""

    def clean(self):
        data = super().clean()
        if data.get("awesome_checked_at"):
            missing = awesome.missing_criteria({name: data.get(name) for name in AWESOME_CRITERIA})
            if missing:
                raise forms.ValidationError(missing)
        return data


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    list_display = (
        "full_path",
        "forge",
        "license_spdx",
        "score",
        "score_checkable",
        "stars",
        "awesome_checked_at",
        "gone_since",
    )
    list_filter = (
        "forge__kind",
        "is_archived",
        "is_fork",
        "archive_state",
        "publiccode_valid",
        "awesome_checked_at",
    )
    # The Awesome selection is the editors' own: everything else comes from the harvest.
    editor_fields = AWESOME_FIELDS
    form = AwesomeForm
    actions = ["remove_from_awesome", "request_archival"]
    search_fields = ("full_path", "description")
    list_select_related = ("forge",)
    date_hierarchy = "updated_at"
    exclude = ("raw", "search_vector")

    def get_readonly_fields(self, request, obj=None):
        editable = set(getattr(self, "editor_fields", ()))
        harvested = [f.name for f in self.model._meta.fields if f.name not in editable]
        return [*harvested, "raw_payload"]

    @admin.display(description=_("réponse brute de la forge"))
    def raw_payload(self, repository):
        return formatted_json(repository.raw)

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # AwesomeForm already refused an incomplete check; this guards other forms.
        if obj.awesome_checked_at:
            missing = awesome.missing_criteria(
                {name: getattr(obj, name) for name in AWESOME_CRITERIA}
            )
            if missing:
                self.message_user(request, missing, messages.ERROR)
                return
        super().save_model(request, obj, form, change)
        bump_catalog_version()

    @admin.action(description=_("Retirer de la sélection Awesome"))
    def remove_from_awesome(self, request, queryset):
        awesome.unmark_awesome(queryset)

    @admin.action(description=_("Demander l’archivage"), permissions=["change"])
    def request_archival(self, request, queryset):
        """Queue a Software Heritage save request for each selected repository; the
        hourly task sends them within SWH_SAVE_HOURLY_BUDGET (this one at once)."""
        report = archive.queue_saves(queryset, user=request.user)
        if report.queued:
            transaction.on_commit(lambda: enqueue(tasks.send_save_requests))
        self.message_user(
            request,
            _(
                "%(queued)d demande(s) d’archivage mise(s) en file (envoi dans la limite de "
                "%(budget)d par heure), %(skipped)d dépôt(s) en ont déjà une en cours. "
                "Suivez-les dans « Demandes d’archivage »."
            )
            % {
                "queued": report.queued,
                "skipped": report.skipped,
                "budget": settings.SWH_SAVE_HOURLY_BUDGET,
            },
            messages.SUCCESS,
        )


@admin.register(SaveRequest)
class SaveRequestAdmin(admin.ModelAdmin):
    """The progress of each Software Heritage save request; made by the action on
    repositories (or the nightly option), never here."""

    list_display = (
        "origin_url",
        "created_at",
        "requested_by",
        "request_status",
        "task_status",
        "visit_status",
        "visit_at",
        "followed_at",
    )
    list_filter = ("request_status", "task_status")
    list_select_related = ("requested_by",)
    search_fields = ("origin_url",)
    date_hierarchy = "created_at"

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
    list_filter = ("status", "forge__kind", "forge")
    list_select_related = ("forge", "owner", "owner__forge")
    date_hierarchy = "started_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    """What the registries last said of each package the manifests publish (ADR 0021):
    the mismatches (a source elsewhere) and the errors are here; written by the weekly
    registry check only."""

    list_display = (
        "name",
        "ecosystem",
        "status",
        "latest_version",
        "repository",
        "source_url",
        "checked_at",
    )
    list_filter = ("status", "ecosystem")
    list_select_related = ("repository__forge",)
    search_fields = ("name", "source_url")
    raw_id_fields = ("repository",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
