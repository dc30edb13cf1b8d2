"""The back office as DINUM's editors use it."""

from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import (
    EDITOR_EXTRA_PERMISSIONS,
    EDITOR_GROUP,
    EDITOR_PERMISSIONS,
    sync_editor_group,
)
from catalog import tasks
from catalog.models import Forge, HarvestRun, Owner
from catalog.services.accounts_export import export_accounts
from catalog.services.accounts_import import import_accounts, read_source
from sill.models import Declaration, Instance, Software
from tests.factories import (
    ContributionFactory,
    OwnerFactory,
    RepositoryFactory,
    UnpublishedCodeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    # Browser tests empty every table, the group made by a migration included.
    sync_editor_group(django_apps)
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    client.force_login(user)
    return user


def test_the_editor_group_has_exactly_its_permissions():
    sync_editor_group(django_apps)
    group = Group.objects.get(name=EDITOR_GROUP)
    granted = {
        (p.content_type.app_label, p.codename)
        for p in group.permissions.select_related("content_type")
    }
    expected = {
        (app, f"{action}_{model}")
        for app, model, actions in EDITOR_PERMISSIONS
        for action in actions
    } | set(EDITOR_EXTRA_PERMISSIONS)
    # Exactly the listed permissions.
    assert granted == expected
    assert ("accounts", "moderate_declarations") in granted
    assert ("catalog", "change_forge") in granted
    assert ("accounts", "change_user") not in granted
    assert not any(codename.startswith("delete_") for app, codename in granted if app == "catalog")


def test_an_editor_reaches_the_catalogue_but_not_the_accounts(client, editor):
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/catalog/forge/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403


def test_an_agent_without_the_group_cannot_reach_the_admin(client):
    client.force_login(UserFactory())
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_harvest_now_enqueues_one_task_per_selected_owner(client, editor, monkeypatch):
    enqueued = []
    monkeypatch.setattr(
        tasks.harvest_owner, "apply_async", lambda args, **options: enqueued.append(args[0])
    )
    owners = OwnerFactory.create_batch(3)

    response = client.post(
        "/admin/catalog/owner/",
        {"action": "harvest_now", "_selected_action": [o.pk for o in owners[:2]]},
        follow=True,
    )

    assert sorted(enqueued) == sorted(o.pk for o in owners[:2])
    assert "2 comptes mis en file de collecte." in response.content.decode()


def test_the_accounts_export_round_trips_through_import_accounts(client, editor):
    import_accounts(text=read_source(None))
    forges = {f.host: f for f in Forge.objects.all()}

    response = client.post(
        "/admin/catalog/forge/",
        {"action": "export_yaml", "_selected_action": [f.pk for f in forges.values()]},
    )
    exported = response.content.decode()
    assert response["Content-Type"].startswith("application/yaml")

    snapshot = {
        (o.forge.host, o.path, o.pso_id, o.floss_policy, o.ospo_url, o.ignored_since)
        for o in Owner.objects.select_related("forge")
    }
    forge_snapshot = set(
        Forge.objects.values_list("host", "kind", "harvest_whole", "pso_id", "ignored_since")
    )
    Owner.objects.all().delete()
    Forge.objects.all().delete()

    report = import_accounts(text=exported)

    assert report.invalid == []
    assert snapshot == {
        (o.forge.host, o.path, o.pso_id, o.floss_policy, o.ospo_url, o.ignored_since)
        for o in Owner.objects.select_related("forge")
    }
    assert forge_snapshot == set(
        Forge.objects.values_list("host", "kind", "harvest_whole", "pso_id", "ignored_since")
    )
    assert export_accounts() == exported


def test_the_admin_index_shows_the_last_day_of_harvests_and_failing_owners(client, editor):
    owner = OwnerFactory(path="en-panne", last_error="HTTP 503")
    now = timezone.now()
    for hours in range(5):
        HarvestRun.objects.create(
            forge=owner.forge, owner=owner, status="failed", started_at=now - timedelta(hours=hours)
        )
    HarvestRun.objects.create(forge=owner.forge, owner=OwnerFactory(), status="ok", started_at=now)

    html = client.get("/admin/").content.decode()

    assert 'id="harvest-dashboard"' in html
    assert '<th scope="row">réussies</th><td>1</td>' in html
    assert '<th scope="row">échouées</th><td>5</td>' in html
    assert "/en-panne</a></th><td>5</td>" in html


def test_the_raw_payload_is_shown_formatted(client, editor):
    repository = RepositoryFactory(raw={"id": 42, "name": "outil"})

    html = client.get(f"/admin/catalog/repository/{repository.pk}/change/").content.decode()

    assert "&quot;id&quot;: 42" in html


def _rows(model, count):
    if model == "repository":
        RepositoryFactory.create_batch(count)
    elif model == "owner":
        OwnerFactory.create_batch(count)
    elif model == "harvestrun":
        for owner in OwnerFactory.create_batch(count):
            HarvestRun.objects.create(forge=owner.forge, owner=owner)
    elif model == "forge":
        for _ in range(count):
            Forge.objects.create(
                host=f"forge{Forge.objects.count()}.example.fr",
                kind="gitlab",
                api_url="https://x.example.fr/api/v4",
            )
    elif model == "software":
        for _ in range(count):
            n = Software.objects.count()
            Software.objects.create(name=f"Logiciel {n}", slug=f"logiciel-{n}")
    elif model == "declaration":
        software = Software.objects.create(
            name=f"S{Software.objects.count()}", slug=f"s-{Software.objects.count()}"
        )
        for user in UserFactory.create_batch(count):
            Declaration.objects.create(user=user, software=software, kind="user")
    elif model == "instance":
        software = Software.objects.create(
            name=f"I{Software.objects.count()}", slug=f"i-{Software.objects.count()}"
        )
        for i in range(count):
            Instance.objects.create(software=software, url=f"https://{software.pk}-{i}.fr")
    elif model == "user":
        UserFactory.create_batch(count)
    elif model == "contribution":
        ContributionFactory.create_batch(count)
    elif model == "unpublishedcode":
        UnpublishedCodeFactory.create_batch(count)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/catalog/forge/",
        "/admin/catalog/owner/",
        "/admin/catalog/repository/",
        "/admin/catalog/harvestrun/",
        "/admin/sill/software/",
        "/admin/sill/declaration/",
        "/admin/sill/instance/",
        "/admin/accounts/user/",
        "/admin/contributions/contribution/",
        "/admin/contributions/unpublishedcode/",
    ],
)
def test_changelists_make_the_same_number_of_queries_at_n_and_2n_rows(
    admin_client, url, warm_navigation_cache
):
    model = url.rstrip("/").rsplit("/", 1)[1]

    def queries_after(count):
        _rows(model, count)
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    assert queries_after(3) == queries_after(3)  # 3 rows, then 6


def test_editors_tick_the_awesome_criteria_all_or_none(client, editor):
    repository = RepositoryFactory(description="harvested")
    url = f"/admin/catalog/repository/{repository.pk}/change/"
    data = {
        "awesome_checked_at": "2026-11-30",
        "awesome_note": "vérifié",
        "awesome_free_license": "on",
        "awesome_maintained": "on",
    }

    response = client.post(url, data)
    assert "il manque" in response.content.decode()
    repository.refresh_from_db()
    assert not repository.is_awesome

    for name in ("awesome_documented", "awesome_sponsored", "awesome_used_by_several"):
        data[name] = "on"
    client.post(url, {**data, "description": "changed by hand"})
    repository.refresh_from_db()
    assert repository.is_awesome
    assert repository.description == "harvested"  # harvested fields are read-only


def test_an_editor_sees_the_registries_answers_read_only(client, editor):
    from catalog.models import Library

    library = Library.objects.create(
        ecosystem="npm",
        name="squatted",
        purl="pkg:npm/squatted",
        status="mismatch",
        source_url="https://github.com/someone/else",
    )
    listing = client.get("/admin/catalog/library/?status=mismatch")
    assert listing.status_code == 200 and "someone/else" in listing.content.decode()
    page = client.get(f"/admin/catalog/library/{library.pk}/change/")
    assert page.status_code == 200
    assert client.get("/admin/catalog/library/add/").status_code == 403
