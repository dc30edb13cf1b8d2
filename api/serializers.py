"""What the API says of each row: its fields, its public page (absolute) and its related
items' API addresses."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse as django_reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from bluehats.enums import EventKind, EventStatus
from catalog.enums import ArchiveState, DependencyScope, Ecosystem
from catalog.models import Forge, Owner, PublicBody, Repository
from contributions.models import Contribution
from core.urls import cached_reverse
from sill.models import Software


def absolute(request, path: str) -> str | None:
    return request.build_absolute_uri(path) if path else None


def page_url(request, name: str, *args, query: str = "") -> str:
    """The public page, French (the site's canonical address; English pages are under /en/)."""
    with translation.override(settings.LANGUAGE_CODE):
        return absolute(request, django_reverse(name, args=args) + query)


def api_url(request, name: str, pk) -> str | None:
    """The item's API address. Reversed once per request and kind of item: a page of 1,000
    repositories links some 4,000 items, and each reverse() walks the URL resolver."""
    if not pk:
        return None
    prefixes = request.__dict__.setdefault("_api_detail_prefixes", {})
    if name not in prefixes:
        prefixes[name] = reverse(f"api:{name}-detail", args=[0], request=request)[: -len("0/")]
    return f"{prefixes[name]}{int(pk)}/"


def list_url(request, name: str, **params) -> str:
    """A list of the API filtered on `params`."""
    return reverse(f"api:{name}-list", request=request) + "?" + urlencode(params)


class Tombstone(serializers.Serializer):
    """A row gone from the list since `updated_since`: delete it from your copy."""

    id = serializers.IntegerField()
    deleted_at = serializers.DateTimeField()


class BodyLink(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    url = serializers.URLField()


def body_link(request, body) -> dict | None:
    if body is None or not body.slug:
        return None
    return {
        "id": body.pk,
        "slug": body.slug,
        "name": body.name,
        "url": api_url(request, "public-body", body.pk),
    }


class ApiSerializer(serializers.Serializer):
    """`url`: the item's API address; `page_url`: its public page."""

    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    modified_at = serializers.DateTimeField(read_only=True)

    detail_name = ""
    # The public page's URL name and its str arguments for a row: the French address is then
    # built by core.urls.cached_reverse, without switching the language for each of a page's
    # 1,000 rows as get_absolute_url() would need. Empty: get_absolute_url().
    page_view = ""

    @staticmethod
    def page_args(obj) -> tuple:
        return ()

    @property
    def request(self):
        return self.context["request"]

    def get_url(self, obj) -> str:
        return api_url(self.request, self.detail_name, obj.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj):
        if not self.page_view:
            with translation.override(settings.LANGUAGE_CODE):
                return absolute(self.request, obj.get_absolute_url())
        path = cached_reverse(self.page_view, *self.page_args(obj), language=settings.LANGUAGE_CODE)
        return absolute(self.request, path)


class ForgeSerializer(ApiSerializer):
    detail_name = "forge"
    host = serializers.CharField()
    kind = serializers.CharField()
    is_active = serializers.BooleanField()
    public_body = serializers.SerializerMethodField()
    repositories_url = serializers.SerializerMethodField()

    def get_page_url(self, obj) -> str:
        return page_url(self.request, "catalog:index", query="?" + urlencode({"forge": obj.host}))

    @extend_schema_field(BodyLink(allow_null=True))
    def get_public_body(self, obj):
        return body_link(self.request, obj.public_body)

    def get_repositories_url(self, obj) -> str:
        return list_url(self.request, "repository", forge=obj.host)


class ForgeLink(serializers.Serializer):
    host = serializers.CharField()
    url = serializers.URLField()


class OwnerLink(serializers.Serializer):
    path = serializers.CharField()
    url = serializers.URLField()


class OwnerSerializer(ApiSerializer):
    detail_name = "owner"
    page_view = "owners:detail"

    @staticmethod
    def page_args(obj) -> tuple:
        return (obj.forge.host, obj.path)

    forge = serializers.SerializerMethodField()
    path = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    description = serializers.CharField()
    avatar_url = serializers.CharField()
    website = serializers.CharField()
    public_body = serializers.SerializerMethodField()
    repository_count = serializers.IntegerField()
    star_count = serializers.IntegerField()
    last_activity_at = serializers.DateTimeField(allow_null=True)
    repositories_url = serializers.SerializerMethodField()

    @extend_schema_field(ForgeLink)
    def get_forge(self, obj):
        return {"host": obj.forge.host, "url": api_url(self.request, "forge", obj.forge_id)}

    @extend_schema_field(BodyLink(allow_null=True))
    def get_public_body(self, obj):
        return body_link(self.request, obj.body)

    def get_repositories_url(self, obj) -> str:
        return list_url(self.request, "repository", owner=f"{obj.forge.host}/{obj.path}")


class CheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=["passed", "failed", "unchecked"])
    weight = serializers.IntegerField()


class ScoreSerializer(serializers.Serializer):
    value = serializers.IntegerField(help_text="0–100, over the checked criteria only.")
    points = serializers.IntegerField()
    checkable = serializers.IntegerField()
    checks = CheckSerializer(many=True)


class PubliccodeSummary(serializers.Serializer):
    name = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True)
    license = serializers.CharField(allow_null=True)
    development_status = serializers.CharField(allow_null=True)
    software_type = serializers.CharField(allow_null=True)
    short_description = serializers.CharField(allow_null=True)
    languages = serializers.ListField(child=serializers.CharField())


class PubliccodeSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    summary = PubliccodeSummary(allow_null=True)
    document = serializers.JSONField(allow_null=True, help_text="The parsed publiccode.yml.")
    raw = serializers.CharField(
        help_text="The file as the forge served it (control characters removed); empty for "
        "repositories last inspected before the text was kept."
    )


class ArchiveSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        source="archive_state",
        choices=ArchiveState.choices,
        help_text="What Software Heritage holds: archived, archived_outdated (the head commit "
        "missing for over a month), visited_no_snapshot, absent, unknown (not checked).",
    )
    origin = serializers.CharField(source="archive_origin", help_text="The origin URL found.")
    swhid = serializers.CharField(
        source="archive_swhid", help_text="The snapshot's SWHID with its origin, to cite."
    )
    last_visit_at = serializers.DateTimeField(source="archive_visit_at", allow_null=True)
    last_visit_status = serializers.CharField(source="archive_visit_status")
    checked_at = serializers.SerializerMethodField()
    url = serializers.URLField(source="software_heritage_url")

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_checked_at(self, obj):
        # The 2021 catalogue's date is not a check of ours.
        if obj.archive_state == ArchiveState.UNKNOWN:
            return None
        return serializers.DateTimeField().to_representation(obj.archive_checked_at)


class RepositorySerializer(ApiSerializer):
    detail_name = "repository"
    page_view = "catalog:detail"

    @staticmethod
    def page_args(obj) -> tuple:
        return (obj.forge.host, obj.full_path)

    forge = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    full_path = serializers.CharField()
    name = serializers.CharField()
    web_url = serializers.URLField()
    description = serializers.CharField()
    homepage = serializers.CharField()
    default_branch = serializers.CharField()
    language = serializers.CharField()
    topics = serializers.ListField(child=serializers.CharField())
    license = serializers.CharField(source="license_spdx", help_text="SPDX identifier.")
    license_reported = serializers.CharField(help_text="As the forge reported it.")
    stars = serializers.IntegerField()
    forks = serializers.IntegerField()
    open_issues = serializers.IntegerField()
    is_fork = serializers.BooleanField()
    is_archived = serializers.BooleanField()
    is_template = serializers.BooleanField()
    is_awesome = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    pushed_at = serializers.DateTimeField(allow_null=True)
    first_seen_at = serializers.DateTimeField()
    public_body = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    publiccode = serializers.SerializerMethodField()
    software_heritage_url = serializers.URLField()
    software_heritage = ArchiveSerializer(source="*")

    @extend_schema_field(ForgeLink)
    def get_forge(self, obj):
        return {"host": obj.forge.host, "url": api_url(self.request, "forge", obj.forge_id)}

    @extend_schema_field(OwnerLink)
    def get_owner(self, obj):
        return {"path": obj.owner.path, "url": api_url(self.request, "owner", obj.owner_id)}

    @extend_schema_field(BodyLink(allow_null=True))
    def get_public_body(self, obj):
        return body_link(self.request, obj.owner.body)

    @extend_schema_field(ScoreSerializer)
    def get_score(self, obj):
        score = obj.explained_score()
        return {
            "value": obj.score,
            "points": score.points,
            "checkable": obj.score_checkable,
            "checks": [
                {"code": c.code, "label": str(c.label), "state": c.state, "weight": c.weight}
                for c in score.checks
            ],
        }

    @extend_schema_field(PubliccodeSerializer(allow_null=True))
    def get_publiccode(self, obj):
        if not (obj.publiccode or obj.publiccode_text):
            return None
        document = {k: v for k, v in (obj.publiccode or {}).items() if k != "_summary"}
        return {
            "valid": obj.publiccode_valid,
            "summary": obj.publiccode_summary,
            "document": document or None,
            "raw": obj.publiccode_text,
        }


class DependencyItem(serializers.Serializer):
    name = serializers.CharField()
    purl = serializers.CharField(help_text="Package URL (pkg:pypi/django, pkg:npm/%40scope/name…).")
    requirement = serializers.CharField(help_text="The version requirement as written.")
    scope = serializers.ChoiceField(choices=DependencyScope.choices)


class ManifestSerializer(serializers.Serializer):
    path = serializers.CharField()
    ecosystem = serializers.ChoiceField(choices=Ecosystem.choices)
    package_name = serializers.CharField(help_text="The package it publishes, if it names one.")
    private = serializers.BooleanField(help_text="Marked as not to publish.")
    errors = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the file could not be read whole; its previous dependencies are kept.",
    )
    parsed_at = serializers.DateTimeField()
    dependencies = DependencyItem(many=True)


class RepositoryDetailSerializer(RepositorySerializer):
    """A repository with what its manifests declare (the item only: a page of 1,000 would
    carry tens of thousands of dependencies; `?dependency=<purl>` filters the list)."""

    manifests = serializers.SerializerMethodField()

    @extend_schema_field(ManifestSerializer(many=True))
    def get_manifests(self, obj):
        dependencies = {}
        for dependency in obj.dependencies.for_repository():
            dependencies.setdefault(dependency.manifest, []).append(dependency)
        return ManifestSerializer(
            [
                {
                    "path": manifest.path,
                    "ecosystem": manifest.ecosystem,
                    "package_name": manifest.package_name,
                    "private": manifest.private,
                    "errors": manifest.errors,
                    "parsed_at": manifest.parsed_at,
                    "dependencies": dependencies.get(manifest.path, []),
                }
                for manifest in obj.manifests.order_by("path")
            ],
            many=True,
        ).data


class SoftwareSerializer(ApiSerializer):
    detail_name = "software"
    page_view = "sill:detail"

    @staticmethod
    def page_args(obj) -> tuple:
        return (obj.slug,)

    name = serializers.CharField()
    slug = serializers.CharField()
    function = serializers.CharField()
    description_fr = serializers.CharField()
    description_en = serializers.CharField()
    category = serializers.CharField()
    sector = serializers.CharField()
    keywords = serializers.ListField(child=serializers.CharField())
    license = serializers.CharField()
    website = serializers.CharField()
    source_url = serializers.CharField()
    documentation_url = serializers.CharField()
    logo_url = serializers.CharField(source="logo_src")
    wikidata_id = serializers.CharField()
    comptoir_id = serializers.CharField()
    platforms = serializers.ListField(child=serializers.CharField())
    min_version = serializers.CharField()
    max_version = serializers.CharField()
    status = serializers.CharField()
    dereferenced_reason = serializers.CharField()
    dereferenced_at = serializers.DateField(allow_null=True)
    support_market = serializers.BooleanField()
    made_by_administration = serializers.BooleanField()
    user_count = serializers.IntegerField()
    referent_count = serializers.IntegerField()
    added_at = serializers.DateTimeField()
    parent = serializers.SerializerMethodField()
    similar = serializers.SerializerMethodField()
    source_repository = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_parent(self, obj):
        return api_url(self.request, "software", obj.parent_id)

    def get_similar(self, obj) -> list[str]:
        return [api_url(self.request, "software", other.pk) for other in obj.similar.all()]

    @extend_schema_field(OpenApiTypes.URI)
    def get_source_repository(self, obj):
        return api_url(self.request, "repository", obj.source_repository_id)


class ContributionSerializer(ApiSerializer):
    detail_name = "contribution"
    project_name = serializers.CharField()
    project_url = serializers.URLField()
    project_key = serializers.CharField()
    kind = serializers.CharField()
    evidence_urls = serializers.ListField(child=serializers.CharField())
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    description = serializers.CharField()
    author = serializers.CharField(source="shown_author", allow_null=True)
    created_at = serializers.DateTimeField()
    public_body = serializers.SerializerMethodField()
    repository = serializers.SerializerMethodField()
    software = serializers.SerializerMethodField()

    @extend_schema_field(BodyLink(allow_null=True))
    def get_public_body(self, obj):
        return body_link(self.request, obj.public_body)

    @extend_schema_field(OpenApiTypes.URI)
    def get_repository(self, obj):
        return api_url(self.request, "repository", obj.repository_id)

    @extend_schema_field(OpenApiTypes.URI)
    def get_software(self, obj):
        return api_url(self.request, "software", obj.software_id)


class PublicBodySerializer(ApiSerializer):
    detail_name = "public-body"
    slug = serializers.CharField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    siren = serializers.CharField()
    is_ministry = serializers.BooleanField()
    parent = serializers.SerializerMethodField()
    ministry = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_parent(self, obj):
        return api_url(self.request, "public-body", obj.parent_id)

    @extend_schema_field(OpenApiTypes.URI)
    def get_ministry(self, obj):
        return api_url(self.request, "public-body", obj.ministry_id)


SERIALIZERS = {
    Forge: ForgeSerializer,
    Owner: OwnerSerializer,
    PublicBody: PublicBodySerializer,
    Repository: RepositorySerializer,
    Software: SoftwareSerializer,
    Contribution: ContributionSerializer,
}


class EventSerializer(ApiSerializer):
    """A published BlueHats event; times in UTC (the page shows them in Paris time)."""

    detail_name = "event"
    uid = serializers.CharField(help_text="The calendar UID (stable), without its host part.")
    slug = serializers.CharField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=EventStatus.choices)
    sequence = serializers.IntegerField(help_text="The calendar revision (RFC 5545 SEQUENCE).")
    start_at = serializers.DateTimeField()
    end_at = serializers.DateTimeField()
    all_day = serializers.BooleanField()
    online = serializers.BooleanField()
    place = serializers.CharField()
    online_url = serializers.CharField()
    registration_url = serializers.CharField()
    description = serializers.CharField(help_text="Markdown.")
    speakers = serializers.CharField()
    organiser = serializers.SerializerMethodField()
    video_url = serializers.CharField()
    slides_url = serializers.CharField()
    report_url = serializers.CharField()
    calendar_url = serializers.SerializerMethodField()
    software = serializers.SerializerMethodField()
    repositories = serializers.SerializerMethodField()

    @extend_schema_field(BodyLink(allow_null=True))
    def get_organiser(self, obj):
        return body_link(self.request, obj.organiser)

    @extend_schema_field(OpenApiTypes.URI)
    def get_calendar_url(self, obj):
        return page_url(self.request, "bluehats:event_calendar", obj.slug)

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_software(self, obj):
        return [api_url(self.request, "software", item.pk) for item in obj.software.all()]

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_repositories(self, obj):
        return [api_url(self.request, "repository", item.pk) for item in obj.repositories.all()]


class GazetteIssueSerializer(ApiSerializer):
    detail_name = "gazette-issue"
    number = serializers.IntegerField()
    published_on = serializers.DateField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="Markdown; empty for the archived issues.")
    source_url = serializers.CharField()


class ContributorSerializer(ApiSerializer):
    """A public contributor profile: what its owner chose to show, never an address."""

    detail_name = "contributor"
    slug = serializers.CharField()
    display_name = serializers.CharField()
    short_bio = serializers.CharField()
    body = serializers.CharField(help_text="Markdown.")
    forge_handles = serializers.ListField(child=serializers.CharField())
