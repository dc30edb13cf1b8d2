"""Editors keep managing guide pages and highlights now that the models live in editorial."""

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.roles import EDITOR_GROUP, sync_editor_group
from editorial.models import GuidePage, Highlight
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

content_types_migration = import_module("editorial.migrations.0002_content_types")

EDITORIAL_PERMISSIONS = {
    f"{action}_{model}"
    for action in ("add", "change", "delete", "view")
    for model in ("guidepage", "highlight")
}


def editorial_permissions_of(group):
    return set(
        group.permissions.filter(content_type__app_label="editorial").values_list(
            "codename", flat=True
        )
    )


def test_the_content_types_are_under_editorial():
    for model in (GuidePage, Highlight):
        content_type = ContentType.objects.get_for_model(model)
        assert content_type.app_label == "editorial"
    assert not ContentType.objects.filter(
        app_label="codegouv", model__in=["guidepage", "highlight"]
    ).exists()


def test_the_editor_group_manages_guide_pages_and_highlights(client):
    sync_editor_group(django_apps)
    group = Group.objects.get(name=EDITOR_GROUP)
    assert editorial_permissions_of(group) == EDITORIAL_PERMISSIONS

    editor = UserFactory(staff=True)
    editor.groups.add(group)
    client.force_login(editor)

    for url_name in (
        "admin:editorial_guidepage_changelist",
        "admin:editorial_guidepage_add",
        "admin:editorial_highlight_changelist",
        "admin:editorial_highlight_add",
    ):
        assert client.get(reverse(url_name)).status_code == 200, url_name
    index = client.get(reverse("admin:index")).content.decode()
    assert "Contenus éditoriaux" in index


def test_an_upgraded_database_keeps_permissions_and_history_on_the_moved_models():
    """A database from before the move: the content types say codegouv, a user holds a
    permission, the admin's history has an entry; the group has no guide permission."""
    sync_editor_group(django_apps)
    group = Group.objects.get(name=EDITOR_GROUP)
    group.permissions.remove(*Permission.objects.filter(content_type__app_label="editorial"))
    old = {
        model: ContentType.objects.get(app_label="editorial", model=model)
        for model in ("guidepage", "highlight")
    }
    ContentType.objects.filter(pk__in=[ct.pk for ct in old.values()]).update(app_label="codegouv")
    ContentType.objects.clear_cache()
    user = UserFactory(staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_highlight"))
    highlight = Highlight.objects.create(title="OSM", url="https://www.openstreetmap.org/")
    LogEntry.objects.create(
        user=user,
        content_type_id=old["highlight"].pk,
        object_id=str(highlight.pk),
        object_repr=str(highlight),
        action_flag=ADDITION,
    )

    content_types_migration.forwards(django_apps, schema_editor=None)

    for model, content_type in old.items():
        moved = ContentType.objects.get(pk=content_type.pk)
        assert (moved.app_label, moved.model) == ("editorial", model)
    user = type(user).objects.get(pk=user.pk)  # a fresh permission cache
    assert user.has_perm("editorial.change_highlight")
    assert LogEntry.objects.get().get_edited_object() == highlight
    assert editorial_permissions_of(group) == EDITORIAL_PERMISSIONS
