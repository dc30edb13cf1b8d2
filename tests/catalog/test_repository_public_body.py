"""The public body kept on each repository (catalog 0021): its owner's, else its forge's,
whatever writes the owner, the forge or the repository, as the listing's ministry and body
filters and facets read it."""

import threading
from unittest import mock

import pytest

from catalog.models import Repository
from tests.factories import ForgeFactory, OwnerFactory, PublicBodyFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


def body_of(repository):
    return Repository.objects.values_list("public_body", flat=True).get(pk=repository.pk)


@pytest.fixture
def bodies():
    ministry = PublicBodyFactory(name="Ministère", is_ministry=True)
    return {
        "own": PublicBodyFactory(name="Service", ministry=ministry),
        "forge": PublicBodyFactory(name="Université", ministry=ministry),
        "other": PublicBodyFactory(name="Autre"),
    }


def test_a_new_repository_takes_its_owners_body_else_its_forges(bodies):
    forge = ForgeFactory(host="gitlab.univ.fr", kind="gitlab", public_body=bodies["forge"])
    own = RepositoryFactory(owner=OwnerFactory(forge=forge, public_body=bodies["own"]))
    forges = RepositoryFactory(owner=OwnerFactory(forge=forge))
    none = RepositoryFactory(owner=OwnerFactory())
    assert body_of(own) == bodies["own"].pk
    assert body_of(forges) == bodies["forge"].pk
    assert body_of(none) is None
    # Bulk upserts (the harvest's) compute it too, and a save() cannot write another.
    created = Repository.objects.bulk_create(
        [Repository(forge=forge, owner=own.owner, remote_id="x", full_path="a/x", name="x")],
        update_conflicts=True,
        unique_fields=["forge", "remote_id"],
        update_fields=["name"],
    )
    assert body_of(created[0]) == bodies["own"].pk
    Repository.objects.filter(pk=none.pk).update(public_body=bodies["other"])
    assert body_of(none) is None


def test_an_owners_change_of_body_moves_its_repositories_without_stamping_them(bodies):
    forge = ForgeFactory(host="gitlab.univ.fr", kind="gitlab", public_body=bodies["forge"])
    owner = OwnerFactory(forge=forge)
    repository = RepositoryFactory(owner=owner)
    stamp = Repository.objects.get(pk=repository.pk).modified_at

    owner.public_body = bodies["own"]
    owner.save()
    assert body_of(repository) == bodies["own"].pk
    type(owner).objects.filter(pk=owner.pk).update(public_body=bodies["other"])
    assert body_of(repository) == bodies["other"].pk
    type(owner).objects.filter(pk=owner.pk).update(public_body=None)
    assert body_of(repository) == bodies["forge"].pk
    # Derived, not a change of the repository for the API's mirrors.
    assert Repository.objects.get(pk=repository.pk).modified_at == stamp


def test_a_forges_change_of_body_moves_the_repositories_of_owners_without_their_own(bodies):
    forge = ForgeFactory(host="gitlab.univ.fr", kind="gitlab")
    without = RepositoryFactory(owner=OwnerFactory(forge=forge))
    with_own = RepositoryFactory(owner=OwnerFactory(forge=forge, public_body=bodies["own"]))

    forge.public_body = bodies["forge"]
    forge.save()

    assert body_of(without) == bodies["forge"].pk
    assert body_of(with_own) == bodies["own"].pk


def test_a_deleted_body_leaves_its_repositories_to_the_forges_body(bodies):
    forge = ForgeFactory(host="gitlab.univ.fr", kind="gitlab", public_body=bodies["forge"])
    repository = RepositoryFactory(owner=OwnerFactory(forge=forge, public_body=bodies["own"]))
    elsewhere = RepositoryFactory(owner=OwnerFactory(public_body=bodies["other"]))

    bodies["own"].delete()
    bodies["other"].delete()

    assert body_of(repository) == bodies["forge"].pk
    assert body_of(elsewhere) is None


def test_the_listing_filters_and_counts_bodies_as_owners_of_public_bodies_does(client, bodies):
    forge = ForgeFactory(host="gitlab.univ.fr", kind="gitlab", public_body=bodies["forge"])
    RepositoryFactory(owner=OwnerFactory(forge=forge, path="labo"), name="depot-du-labo")
    RepositoryFactory(owner=OwnerFactory(public_body=bodies["own"]), name="depot-du-service")
    RepositoryFactory(owner=OwnerFactory(), name="depot-sans-organisme")

    ministry = bodies["own"].ministry or bodies["forge"].ministry
    page = client.get("/depots/", {"ministry": ministry.slug}).content.decode()
    assert "depot-du-labo" in page and "depot-du-service" in page
    assert "depot-sans-organisme" not in page
    page = client.get("/depots/", {"public_body": bodies["forge"].slug}).content.decode()
    assert "depot-du-labo" in page and "depot-du-service" not in page
    # The sidebar's facets: each body once, with its count.
    assert f"?public_body={bodies['forge'].slug}" in client.get("/depots/").content.decode()


def test_an_editors_change_of_body_runs_past_the_web_statement_timeout(settings, rf):
    """The triggers rewrite every repository concerned in the same statement."""
    from django.contrib import admin as django_admin
    from django.db import connection

    from catalog.admin import ForgeAdmin, OwnerAdmin
    from catalog.models import Forge, Owner

    settings.DATABASE_STATEMENT_TIMEOUT = 2000
    forge = ForgeFactory(host="gitlab.univ.fr", kind="gitlab")
    owner = OwnerFactory(forge=forge)
    seen = []

    def save(self, *args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])

    for model, model_admin, row in ((Forge, ForgeAdmin, forge), (Owner, OwnerAdmin, owner)):
        with mock.patch.object(model, "save", save):
            model_admin(model, django_admin.site).save_model(rf.post("/"), row, None, True)
    assert seen == ["2min", "2min"]


@pytest.mark.django_db(transaction=True)
def test_a_repository_written_while_its_owners_body_changes_ends_with_the_new_body():
    """The repository's trigger locks the owner it reads: the change of body waits for the
    harvest's transaction, then moves the new row too."""
    from django.db import connections, transaction

    body = PublicBodyFactory(name="Service")
    owner = OwnerFactory(public_body=body)
    inserted, release = threading.Event(), threading.Event()
    created = []

    def harvest():
        try:
            with transaction.atomic():
                created.append(RepositoryFactory(owner=owner))
                inserted.set()
                release.wait(5)
        finally:
            connections.close_all()

    def editor():
        try:
            type(owner).objects.filter(pk=owner.pk).update(public_body=None)
        finally:
            connections.close_all()

    first = threading.Thread(target=harvest)
    first.start()
    assert inserted.wait(5)
    second = threading.Thread(target=editor)
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the harvest's transaction
    release.set()
    first.join(5)
    second.join(5)
    assert body_of(created[0]) is None
