"""Hostile input never takes a page down: every listing, feed, export and detail route
answers 200 or 404 to the worst query strings and paths, and the worst strings stored in
every text field (before the boundary existed, or by an editor) break no page, feed or
export. `make hostile` sends the same through gunicorn at volume."""

import csv
import io
import json
import uuid
from xml.etree import ElementTree

import pytest
from django.db import models

from catalog.filters import OwnerFilter, RepositoryFilter
from catalog.models import Owner, Repository
from contributions.filters import ContributionFilter
from contributions.models import Contribution
from sill.filters import SoftwareFilter
from sill.models import Declaration, Instance, Software
from tests.factories import (
    ContributionFactory,
    DeclarationFactory,
    InstanceFactory,
    OwnerFactory,
    PublicBodyFactory,
    RepositoryFactory,
    SoftwareFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Raw, already percent-encoded: sent as they are, never re-encoded by the client.
HOSTILE_VALUES = [
    "%00",
    "a%00b",
    "%08",
    "%1b%5B31m",
    "%7f",
    "%C2%85",
    "%FF%FE",
    "%ED%A0%80",
    "x" * 300,
    "%C3%A9" * 300,
    "%27%20OR%201%3D1%20--",
    "a%20%26%20%7C%20!%20%3A*%20(%20)%20%3C-%3E",
    "%25",
    "_",
    "%5C",
    ".*%5B(",
    "-1",
    "99999999999999999999999",
    "%EF%BF%BE",
]
COMMON_PARAMETERS = ("sort", "page", "per_page")


def parameters(filterset_class) -> list[str]:
    return [*filterset_class.base_filters, *COMMON_PARAMETERS]


@pytest.fixture
def catalogue():
    body = PublicBodyFactory()
    owner = OwnerFactory(path="etalab", public_body=body)
    RepositoryFactory(owner=owner, name="sill", topics=["sill"])
    software = SoftwareFactory(slug="libreoffice")
    DeclarationFactory(software=software, public_body=body)
    contribution = ContributionFactory(public_body=body)
    return {"owner": owner, "software": software, "contribution": contribution}


def get(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


ROUTES = [
    ("/depots/", RepositoryFilter),
    ("/depots/flux.atom", RepositoryFilter),
    ("/organisations/", OwnerFilter),
    ("/organisations/github.com/etalab/", RepositoryFilter),
    ("/organisations/github.com/etalab/flux.atom", RepositoryFilter),
    ("/sill/", SoftwareFilter),
    ("/contributions/", ContributionFilter),
]


@pytest.mark.parametrize(("route", "filterset_class"), ROUTES, ids=[r for r, _f in ROUTES])
def test_every_parameter_of_every_listing_and_feed_takes_the_worst_values(
    client, catalogue, route, filterset_class
):
    failures = []
    for name in parameters(filterset_class):
        for value in HOSTILE_VALUES:
            url = f"{route}?{name}={value}"
            status = get(client, url).status_code
            if status not in (200, 404):
                failures.append((url, status))
    assert failures == []


@pytest.mark.parametrize("route", [r for r, _f in ROUTES if "flux" not in r])
@pytest.mark.parametrize("export", ["csv", "json"])
def test_exports_take_the_worst_search_and_filters(client, catalogue, route, export):
    for value in HOSTILE_VALUES:
        response = get(client, f"{route}?format={export}&q={value}&forge={value}")
        assert response.status_code == 200, value


def test_repeated_and_odd_parameters(client, catalogue):
    for url in [
        "/depots/?q=a&q=%00&q=b&language=Python&language=%1b",
        "/depots/?%00=1&%FF=%FF",
        "/depots/?q",
        "/depots/?&&&=&",
        "/depots/?sort=relevance&q=%00",
        "/depots/?sort=relevance&q=%20%20",
        "/sill/?sort=relevance&q=a%00b",
        "/organisations/?kind=%00&format=json",
        "/depots/flux.atom?q=%08&forge=%1b&owner=%1b&language=%1b&license=%1b&topic=%1b",
    ]:
        assert get(client, url).status_code == 200, url


def test_a_nul_in_the_search_still_searches(client, catalogue):
    """The form and the sort see the same cleaned text: `a%00b` is a search, sorted by
    relevance (it used to fail on a missing `rank`)."""
    response = client.get("/depots/?q=si%00ll")
    assert response.status_code == 200
    assert response.context["sort"] == "relevance"
    assert response.context["query"] == "sill"
    assert "etalab/sill" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/depots/github.com/etalab/sill%00/",
        "/depots/github.com/etalab/sill%1b/",
        "/depots/github.com/%ED%A0%80/x/",
        "/organisations/github.com/%00/",
        "/organisations/github.com/%00/flux.atom",
        "/organisations/github.com/etalab%7f/",
        "/sill/%00/",
        "/contributions/projets/%00/",
        "/guides/%00/",
        "/%00",
        "/en/depots/github.com/etalab/sill%0a/",
    ],
)
def test_a_control_character_in_a_path_is_a_404(client, catalogue, path):
    assert client.get(path).status_code == 404


# --- Stored worst strings -----------------------------------------------------------------

WORST = (
    "\x08\x1b[31m\x7f\x85\ufffe\u202e<script>alert(1)</script>"
    "\"'><img src=x onerror=alert(1)> & ]]> {{ x }} {% y %} é" + "ẞ" * 300
)
WORST_URL = "javascript:alert(document.domain)"


def worsen(instance, *, skip=()):
    """Every text field of `instance` (but choices, `skip` and keys) set to the worst
    string its column holds, every URL-like field to a script URL, written with a bare
    UPDATE as data that came in before the boundary would be."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in skip or field.choices or field.primary_key or field.is_relation:
            continue
        if isinstance(field, models.URLField) or field.name in (
            "homepage",
            "website",
            "url",
            "project_url",
        ):
            values[field.name] = WORST_URL[: field.max_length]
        elif isinstance(field, (models.CharField, models.TextField)) and not field.unique:
            values[field.name] = WORST[: field.max_length] if field.max_length else WORST
        elif isinstance(field, models.JSONField) and isinstance(
            getattr(instance, field.name), list
        ):
            values[field.name] = [WORST[:100], WORST_URL]
    type(instance).objects.filter(pk=instance.pk).update(**values)


@pytest.fixture
def poisoned():
    body = PublicBodyFactory()
    owner = OwnerFactory(path="poison", public_body=body)
    repository = RepositoryFactory(owner=owner, name="poison", topics=["x"])
    software = SoftwareFactory(slug="poison")
    agent = UserFactory(public_body=body)
    declaration = DeclarationFactory(software=software, public_body=body, user=agent)
    instance = InstanceFactory(software=software, public_body=body, user=agent)
    contribution = ContributionFactory(public_body=body, author=agent)
    # Keys that name rows in URLs.
    identity = ("full_path", "path", "slug", "remote_id", "project_key")
    for row in (body, owner, repository, software, declaration, instance, contribution):
        worsen(row, skip=identity)
    return {
        "repository": Repository.objects.get(pk=repository.pk),
        "owner": Owner.objects.get(pk=owner.pk),
        "software": Software.objects.get(pk=software.pk),
        "contribution": Contribution.objects.get(pk=contribution.pk),
        "agent": agent,
        "body": body,
    }


def test_stored_worst_strings_break_no_page_feed_or_export(client, poisoned):
    assert Declaration.objects.filter(use_case__startswith="\x08").exists()
    assert Instance.objects.filter(url=WORST_URL).exists()
    contribution = poisoned["contribution"]
    pages = [
        "/",
        "/depots/",
        "/depots/?q=poison",
        "/depots/poison/",
        "/depots/github.com/poison/poison/",
        "/organisations/",
        "/organisations/github.com/poison/",
        "/sill/",
        "/sill/poison/",
        "/contributions/",
        f"/contributions/{contribution.pk}/",
        f"/contributions/organismes/{poisoned['body'].slug}/",
        f"/organismes/{poisoned['body'].slug}/",
        "/ministeres/",
        f"/contributions/projets/{contribution.project_key}/",
        "/statistiques/",
        "/donnees/",
        "/en/depots/github.com/poison/poison/",
    ]
    feeds = [
        "/depots/flux.atom",
        "/depots/flux.atom?owner=github.com/poison",
        "/organisations/github.com/poison/flux.atom",
        "/sill/flux.atom",
        "/contributions/flux.atom",
    ]
    exports = [
        "/depots/?format=csv",
        "/depots/?format=json",
        "/organisations/?format=csv",
        "/organisations/?format=json",
        "/sill/?format=csv",
        "/sill/?format=json",
        "/sill/sill.json",
        "/sill/catalogi.json",
        "/api/v1/catalog.json",
        "/contributions/?format=csv",
        "/contributions/?format=json",
    ]
    for logged_in in (False, True):
        if logged_in:
            client.force_login(poisoned["agent"])
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 404), url
            html = response.content.decode()
            assert "<script>alert" not in html, url
            assert 'href="javascript:' not in html.lower(), url
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        ElementTree.fromstring(response.content)  # well-formed XML 1.0
    for url in exports:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if "csv" in url:
            assert list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        else:
            json.loads(body)


def test_the_worst_repository_page_shows_no_script_link(client, poisoned):
    page = client.get("/depots/github.com/poison/poison/").content.decode()
    assert 'href="javascript:' not in page
    assert "Site du projet" not in page  # the homepage was no http(s) URL: no link


# --- Forms ----------------------------------------------------------------------------------

CONTROL = "\x00\x08\x1b\x7f\x85"


def test_a_declared_contribution_keeps_no_control_character_and_its_feed_works(client):
    body = PublicBodyFactory()
    agent = UserFactory(public_body=body, trusted=True)
    client.force_login(agent)
    response = client.post(
        "/contributions/declarer/",
        {
            "submission_token": str(uuid.uuid4()),
            "public_body": body.pk,
            "project_name": f"Libre{CONTROL}Office",
            "project_url": f"https://git.libreoffice.org/core{CONTROL}",
            "kind": "code",
            "evidence": f"https://bugs.documentfoundation.org/1{CONTROL}\n",
            "started_on": "2024-03-04",
            "ended_on": "",
            "description": f"Ligne{CONTROL} un\nLigne deux",
        },
    )
    assert response.status_code in (200, 302)
    for contribution in Contribution.objects.all():
        for value in (contribution.project_name, contribution.description):
            assert not any(c in value for c in CONTROL), value
        assert contribution.description == "Ligne un\nLigne deux"
    assert client.get("/contributions/flux.atom").status_code == 200


def test_every_sill_form_refuses_or_cleans_control_characters(client):
    body = PublicBodyFactory()
    agent = UserFactory(public_body=body, trusted=True)
    software = SoftwareFactory(slug="qgis")
    client.force_login(agent)
    posts = [
        (
            "/sill/proposer/",
            {
                "name": f"Logi{CONTROL}ciel",
                "function": f"Fonction{CONTROL}",
                "license": f"MIT{CONTROL}",
                "website": f"https://exemple.fr{CONTROL}",
            },
        ),
        ("/sill/qgis/declarer/utilisateur/", {"use_case": f"Usage{CONTROL}"}),
        (
            "/sill/qgis/instances/ajouter/",
            {"url": f"https://q.gouv.fr{CONTROL}", "audience": CONTROL},
        ),
        ("/compte/modifier/", {"first_name": f"Ca{CONTROL}mille", "last_name": CONTROL}),
    ]
    for url, data in posts:
        response = client.post(url, {"submission_token": str(uuid.uuid4()), **data})
        assert response.status_code in (200, 302, 400), url
    texts = [
        *Software.objects.values_list("name", "function"),
        *Declaration.objects.values_list("use_case", flat=False),
        *Instance.objects.values_list("url", "audience"),
    ]
    agent.refresh_from_db()
    texts.append((agent.first_name, agent.last_name))
    for row in texts:
        for value in row:
            assert not any(c in str(value) for c in CONTROL), row
    for url in ("/sill/", "/sill/qgis/", "/sill/flux.atom", "/compte/"):
        assert client.get(url).status_code == 200, url
    assert software.pk
