"""Cursor pages over a stable order, and the incremental sync with tombstones."""

import time

import pytest
from django.utils import timezone

from api.models import Deletion
from catalog.models import Repository
from contributions.models import Contribution
from tests.api.conftest import traverse
from tests.factories import (
    ContributionFactory,
    OwnerFactory,
    RepositoryFactory,
    SoftwareFactory,
)

pytestmark = pytest.mark.django_db


def ids(items):
    return [item["id"] for item in items]


def test_pages_follow_each_other_and_come_back(api):
    repositories = RepositoryFactory.create_batch(7)

    first = api("repositories/", page_size="3")
    body = first.json()
    second = api(body["next"]).json()
    back = api(second["previous"]).json()

    assert ids(body["results"]) == [r.pk for r in repositories[:3]]
    assert body["previous"] is None
    assert ids(second["results"]) == [r.pk for r in repositories[3:6]]
    assert ids(back["results"]) == ids(body["results"])
    assert first["Link"] == f'<{body["next"]}>; rel="next"'
    links = api(body["next"])["Link"]
    assert links == f'<{second["next"]}>; rel="next", <{second["previous"]}>; rel="prev"'
    last = api(second["next"]).json()
    assert ids(last["results"]) == [repositories[6].pk]
    assert last["next"] is None


def test_the_default_page_is_100_items_and_1000_the_most(api):
    owner = OwnerFactory()
    Repository.objects.bulk_create(
        [
            Repository(
                owner=owner,
                forge=owner.forge,
                remote_id=str(n),
                name=f"r{n}",
                full_path=f"{owner.path}/r{n}",
                web_url=f"https://github.com/{owner.path}/r{n}",
            )
            for n in range(1001)
        ]
    )

    assert len(api("repositories/").json()["results"]) == 100
    assert len(api("repositories/", page_size="1000").json()["results"]) == 1000
    assert len(traverse(api, "repositories/", page_size="1000")) == 1001
    assert api("repositories/", page_size="1001").status_code == 400


@pytest.mark.parametrize("ordering", ["id", "modified_at"])
def test_rows_inserted_during_a_traversal_come_once_at_the_end(api, ordering):
    owner = OwnerFactory()
    existing = [r.pk for r in RepositoryFactory.create_batch(8, owner=owner)]
    seen, added = [], []
    body = api("repositories/", page_size="3", ordering=ordering).json()
    while True:
        seen += ids(body["results"])
        if not body["next"]:
            break
        added.append(RepositoryFactory(owner=owner).pk)
        body = api(body["next"]).json()

    assert seen == existing + added


def test_a_full_traversal_while_rows_are_inserted_and_updated_returns_every_id_once(api):
    """The default order, by id: a row changed between two pages does not move."""
    owner = OwnerFactory()
    existing = RepositoryFactory.create_batch(9, owner=owner)
    seen = []
    body = api("repositories/", page_size="3").json()
    while True:
        seen += ids(body["results"])
        # A row already read and a row not yet read change between two pages.
        Repository.objects.filter(pk__in=[seen[0], existing[-1].pk]).update(stars=len(seen))
        RepositoryFactory(owner=owner)
        if not body["next"]:
            break
        body = api(body["next"]).json()

    assert len(seen) == len(set(seen))
    assert set(seen) >= {r.pk for r in existing}


def stamp():
    """A sync date strictly after every stamp already written."""
    time.sleep(0.002)
    moment = timezone.now()
    time.sleep(0.002)
    return moment.isoformat()


def test_a_second_sync_returns_exactly_the_changes(api):
    owner = OwnerFactory()
    rows = RepositoryFactory.create_batch(6, owner=owner)
    first = traverse(api, "repositories/", page_size="4")
    assert set(ids(first)) == {r.pk for r in rows}
    since = stamp()

    Repository.objects.filter(pk=rows[0].pk).update(stars=99)  # an update() counts
    rows[1].description = "Nouvelle description"
    rows[1].save()  # so does a save
    rows[2].save()  # a save that changes nothing does not
    Repository.objects.filter(pk=rows[3].pk).update(gone_since=timezone.now())
    deleted = rows[4].pk
    rows[4].delete()
    Repository.objects.filter(pk=rows[5].pk).update(search_vector=None)  # not shown
    new = RepositoryFactory(owner=owner)

    changes = traverse(api, "repositories/", updated_since=since, page_size="2")

    live = {item["id"]: item for item in changes if "deleted_at" not in item or "url" in item}
    tombstones = {item["id"] for item in changes if set(item) == {"id", "deleted_at"}}
    assert set(live) == {rows[0].pk, rows[1].pk, new.pk}
    assert live[rows[0].pk]["stars"] == 99
    assert tombstones == {rows[3].pk, deleted}
    assert len(changes) == 5
    # In the order of the changes.
    stamps = [item.get("modified_at") or item["deleted_at"] for item in changes]
    assert stamps == sorted(stamps)


def test_a_filtered_sync_tombstones_the_rows_that_left_the_filter(api):
    python = RepositoryFactory(language="Python")
    since = stamp()
    Repository.objects.filter(pk=python.pk).update(language="Rust")

    changes = api("repositories/", updated_since=since, language="python").json()["results"]

    assert [set(item) for item in changes] == [{"id", "deleted_at"}]


def test_unpublished_and_deleted_contributions_are_tombstones(api):
    hidden, deleted, kept = ContributionFactory.create_batch(3)
    since = stamp()
    Contribution.objects.filter(pk=hidden.pk).update(moderation_status="hidden")
    deleted_id = deleted.pk
    deleted.delete()
    kept.description = "Autre"
    kept.save()

    changes = traverse(api, "contributions/", updated_since=since)

    assert {item["id"]: set(item) == {"id", "deleted_at"} for item in changes} == {
        hidden.pk: True,
        deleted_id: True,
        kept.pk: False,
    }
    assert Deletion.objects.filter(object_id=deleted_id).exists()


def test_sync_pages_go_back_too(api):
    RepositoryFactory.create_batch(5)
    since = "2000-01-01"

    body = api("repositories/", updated_since=since, page_size="2").json()
    second = api(body["next"]).json()
    back = api(second["previous"]).json()

    assert ids(back["results"]) == ids(body["results"])


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "e30",
        "eyJvIjoiaWQiLCJpIjotMX0",
        "%00",
        "a" * 300,
        "eyJvIjoibW9kaWZpZWRfYXQiLCJpIjoxfQ",
    ],
)
def test_an_invalid_cursor_is_a_400_that_says_so(api, cursor):
    RepositoryFactory()

    response = api("repositories/", cursor=cursor)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["invalid_params"][0]["name"] == "cursor"


def test_a_cursor_of_another_order_is_refused(api):
    RepositoryFactory.create_batch(3)
    body = api("repositories/", page_size="1", ordering="modified_at").json()

    response = api(body["next"].replace("ordering=modified_at", "ordering=id"))

    assert response.status_code == 400


@pytest.mark.parametrize(
    "factory", [ContributionFactory, RepositoryFactory, OwnerFactory, SoftwareFactory]
)
def test_a_save_that_changes_nothing_keeps_the_stamp(factory):
    row = factory()
    row.refresh_from_db()
    before = row.modified_at

    row.save()
    row.refresh_from_db()

    assert row.modified_at == before
