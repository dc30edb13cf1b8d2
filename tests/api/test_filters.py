"""The API's filters are the HTML listings' FilterSets: every filter a page accepts gives
the API the same rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.filters import OwnerFilter, RepositoryFilter
from catalog.models import Dependency, Owner, Repository
from catalog.search import update_search_vectors
from contributions.filters import ContributionFilter
from contributions.models import Contribution
from core.listing import bind_filters
from sill.filters import SoftwareFilter
from sill.importer import update_search_vectors as update_software_vectors
from sill.models import Software
from tests.api.conftest import traverse
from tests.factories import (
    ContributionFactory,
    DeclarationFactory,
    ForgeFactory,
    OwnerFactory,
    PublicBodyFactory,
    RepositoryFactory,
    SoftwareFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    ministry = PublicBodyFactory(name="Ministère des Armées", is_ministry=True)
    ministry.ministry = ministry
    ministry.save()
    body = PublicBodyFactory(name="Direction du numérique", ministry=ministry)
    gitlab = ForgeFactory(gitlab=True)
    owners = [
        OwnerFactory(path="etalab", public_body=body, repository_count=3),
        OwnerFactory(path="inria", forge=gitlab, repository_count=2),
    ]
    recent = timezone.now() - timedelta(days=10)
    signal_conso = RepositoryFactory(
        owner=owners[0],
        name="signal-conso",
        description="Signalement des consommateurs",
        language="TypeScript",
        license_spdx="AGPL-3.0-or-later",
        topics=["consommation"],
        stars=40,
        pushed_at=recent,
        root_files=["README", "CONTRIBUTING"],
        publiccode_valid=True,
    )
    python_fork = RepositoryFactory(
        owner=owners[0], language="Python", license_spdx="NOASSERTION", fork=True
    )
    for repository, scope in ((signal_conso, "runtime"), (python_fork, "development")):
        Dependency.objects.create(
            repository=repository,
            manifest="requirements.txt",
            ecosystem="pypi",
            name="django",
            purl="pkg:pypi/django",
            scope=scope,
        )
    RepositoryFactory(owner=owners[0], archived=True, stars=3)
    RepositoryFactory(owner=owners[1], language="OCaml", license_spdx="CECILL-2.1", stars=12)
    RepositoryFactory(owner=owners[1], gone=True)
    update_search_vectors()
    office = SoftwareFactory(
        name="LibreOffice", category="Bureautique", platforms=["linux", "windows"]
    )
    SoftwareFactory(name="GIMP", status="observation", support_market=True, license="GPL-3.0")
    DeclarationFactory(software=office, public_body=body, kind="referent")
    update_software_vectors()
    ContributionFactory(public_body=body, kind="documentation", project_name="Django")
    ContributionFactory(
        kind="code",
        project_url="https://github.com/python/cpython",
        started_on=timezone.localdate().replace(year=2023),
    )
    return {"ministry": ministry, "body": body}


def repository_cases(rows):
    body, ministry = rows["body"].slug, rows["ministry"].slug
    return [
        {},
        {"q": "signalement"},
        {"forge": "gitlab.example.fr"},
        {"owner": "etalab"},
        {"owner": "github.com/etalab"},
        {"public_body": body},
        {"ministry": ministry},
        {"language": "python"},
        {"license": "free"},
        {"license": "none"},
        {"license": "cecill-2.1"},
        {"topic": "consommation"},
        {"publiccode": "true"},
        {"contributing": "true"},
        {"contributing": "false"},
        {"fork": "true"},
        {"archived": "only"},
        {"archived": "include"},
        {"active": "true"},
        {"active": "false"},
        {"awesome": "false"},
        {"min_stars": "10"},
        {"swh": "unknown"},
        {"swh": "absent"},
        {"dependency": "pkg:pypi/django"},
        {"dependency": "pkg:PyPI/Django@5.0", "dependency_scope": "all"},
        {"dependency": "pkg:npm/vue"},
        {"language": "python", "archived": "include", "fork": "true"},
    ]


def assert_same_rows(api, path, filterset_class, base, cases, *, html_defaults=None):
    """Each case of `cases` (filters exercising every filter of the FilterSet) gives the API
    the rows the HTML listing's FilterSet gives (with `html_defaults` added to its params)."""
    assert set(filterset_class.base_filters) <= {name for case in cases for name in case}
    found_some = False
    for params in cases:
        _filterset, expected = bind_filters(
            filterset_class, {**(html_defaults or {}), **params}, base
        )
        items = traverse(api, path, **params, page_size="2")

        assert sorted(item["id"] for item in items) == sorted(
            expected.values_list("pk", flat=True)
        ), params
        found_some |= bool(params) and bool(items)
    assert found_some  # the cases are not all empty results


def test_every_repository_filter_gives_the_html_listings_rows(api, rows):
    # The HTML listing with archived repositories shown: the API's default.
    assert_same_rows(
        api,
        "repositories/",
        RepositoryFilter,
        Repository.objects.visible(),
        repository_cases(rows),
        html_defaults={"archived": "include"},
    )


def test_the_repository_count_is_the_html_pages_count(api, client, rows):
    # /depots/ counts its rows in the listing summary; with archived=include, all live ones.
    response = client.get("/depots/", {"archived": "include", "language": "python"})
    items = traverse(api, "repositories/", language="python")

    assert response.context["page_obj"].paginator.count == len(items) == 2


def test_every_owner_filter(api, rows):
    cases = [
        {},
        {"q": "etal"},
        {"forge": "GITLAB.example.fr"},
        {"kind": "gitlab"},
        {"public_body": rows["body"].slug},
        {"ministry": rows["ministry"].slug},
    ]
    assert_same_rows(api, "owners/", OwnerFilter, Owner.objects.listed(), cases)


def test_every_software_filter(api, rows):
    cases = [
        {},
        {"q": "libreoffice"},
        {"category": "Bureautique"},
        {"status": "observation"},
        {"license": "gpl-3.0"},
        {"support_market": "true"},
        {"has_referent": "true"},
        {"platform": "Linux"},
        {"public_body": rows["body"].slug},
        {"ministry": rows["ministry"].slug},
    ]
    assert_same_rows(api, "software/", SoftwareFilter, Software.objects.published(), cases)


def test_every_contribution_filter(api, rows):
    cases = [
        {},
        {"q": "django"},
        {"kind": "documentation"},
        {"public_body": rows["body"].slug},
        {"ministry": rows["ministry"].slug},
        {"project": "github.com/python/cpython"},
        {"year": "2023"},
    ]
    assert_same_rows(
        api, "contributions/", ContributionFilter, Contribution.objects.published(), cases
    )


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("repositories/", {"archived": "maybe"}, "archived"),
        ("repositories/", {"min_stars": "many"}, "min_stars"),
        ("repositories/", {"dependency": "django"}, "dependency"),
        ("repositories/", {"dependency": "pkg:unknown/x"}, "dependency"),
        ("repositories/", {"dependency_scope": "dev"}, "dependency_scope"),
        ("contributions/", {"kind": "poetry"}, "kind"),
        ("owners/", {"kind": "svn"}, "kind"),
        ("software/", {"status": "abandoned"}, "status"),
        ("contributions/", {"year": "99999"}, "year"),
    ],
)
def test_a_value_the_form_refuses_is_a_400_naming_it(api, rows, path, params, name):
    response = api(path, **params)

    assert response.status_code == 400
    assert [item["name"] for item in response.json()["invalid_params"]] == [name]
