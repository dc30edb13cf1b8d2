"""The packages' counts of /dependances/, counted after harvests rather than per visit."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction

from catalog import tasks
from catalog.models import HarvestRun, PackageUsage, Repository
from catalog.services.package_usage import refresh_package_usage
from codegouv.celery import app as celery_app
from core.signals import catalogue_changed
from tests.factories import DependencyFactory, OwnerFactory, PublicBodyFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


def listed(client, **params):
    response = client.get("/dependances/", params)
    assert response.status_code == 200
    return {(row["purl"], row["repositories"]) for row in response.context["packages"]}


def test_the_listing_shows_the_last_count_and_a_new_count_replaces_it(client):
    first = RepositoryFactory()
    DependencyFactory(repository=first)
    DependencyFactory(repository=first, manifest="b/requirements.txt")  # one repository
    refresh_package_usage()
    assert listed(client) == {("pkg:pypi/django", 1)}

    second = RepositoryFactory()
    DependencyFactory(repository=second)
    DependencyFactory(repository=second, name="flask", purl="pkg:pypi/flask", development=True)
    # Until the next count, the page shows the last one.
    assert listed(client) == {("pkg:pypi/django", 1)}

    assert refresh_package_usage() == 2
    assert listed(client) == {("pkg:pypi/django", 2)}
    assert listed(client, scope="all") == {("pkg:pypi/django", 2), ("pkg:pypi/flask", 1)}
    assert PackageUsage.objects.count() == 2  # replaced, not added to


def test_a_public_body_filter_counts_its_own_rows_at_once(client):
    body = PublicBodyFactory(name="Cour des comptes")
    repository = RepositoryFactory(owner=OwnerFactory(public_body=body))
    DependencyFactory(repository=repository)
    # Not counted yet, but the body's rows are few: the page groups them itself.
    assert listed(client, public_body=body.slug) == {("pkg:pypi/django", 1)}


@pytest.fixture
def broker():
    """Tasks sent to a broker (tests/conftest.py makes them eager), the sending mocked."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with (
            mock.patch.object(tasks.refresh_package_usage, "apply_async") as count,
            mock.patch.object(tasks.warm_listings, "apply_async"),
            mock.patch.object(tasks.write_crawler_catalog, "apply_async"),
            mock.patch("codegouv.tasks.refresh_statistics.apply_async"),
        ):
            yield count
    finally:
        celery_app.conf.task_always_eager = eager


def test_harvest_runs_ending_together_ask_for_one_count(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _run in range(5):
            catalogue_changed.send(sender=HarvestRun)
        broker.assert_not_called()  # nothing before the run's transaction commits
        # An archive check changes no manifest: no count for it.
        catalogue_changed.send(sender=Repository)

    broker.assert_called_once_with((), countdown=tasks.PACKAGE_USAGE_DELAY)


def test_the_task_counts_and_lets_later_runs_ask_again(
    broker, client, django_capture_on_commit_callbacks
):
    DependencyFactory(repository=RepositoryFactory())
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_changed.send(sender=HarvestRun)

    assert tasks.refresh_package_usage.apply().get() == 1
    assert cache.get(tasks.PACKAGE_USAGE_FLAG_KEY) is None
    assert listed(client) == {("pkg:pypi/django", 1)}
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_changed.send(sender=HarvestRun)
    assert broker.call_count == 2


def test_the_task_skips_while_another_count_runs():
    cache.add("harvest-lock:package-usage", "someone else", timeout=60)
    try:
        assert tasks.refresh_package_usage.apply().get() == "locked"
    finally:
        cache.delete("harvest-lock:package-usage")


def test_a_count_asked_while_another_runs_comes_back_after_it(broker):
    cache.add("harvest-lock:package-usage", "someone else", timeout=60)
    try:
        assert tasks.refresh_package_usage.apply().get() == "locked"
    finally:
        cache.delete("harvest-lock:package-usage")
    broker.assert_called_once_with((), countdown=tasks.PACKAGE_USAGE_DELAY)


def test_packages_are_counted_once_each():
    repository = RepositoryFactory()
    DependencyFactory(repository=repository)
    refresh_package_usage()
    with pytest.raises(IntegrityError), transaction.atomic():
        PackageUsage.objects.create(ecosystem="pypi", name="django", purl="pkg:pypi/django")
