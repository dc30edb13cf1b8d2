"""Every link to a repository or an organisation is its get_absolute_url(), i.e. reverse():
in the exports, the feeds and the sitemaps alike, even for paths that need quoting."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from catalog.services.counts import refresh_owner_counts
from core.urls import cached_reverse, reverser
from tests.factories import ForgeFactory, OwnerFactory, RepositoryFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SERVER = "http://testserver"
# A GitLab subgroup: slashes, non-ASCII letters, a space, and characters that reverse()
# quotes (%, #, ?) or keeps ((, ), ', @).
OWNER_PATH = "ministère/équipe données/sous-groupe"
REPOSITORY_NAME = "outil (v2) l'été 100% #1?@"


@pytest.fixture
def repository():
    forge = ForgeFactory(gitlab=True)
    owner = OwnerFactory(forge=forge, path=OWNER_PATH, name="Équipe données")
    repository = RepositoryFactory(owner=owner, name=REPOSITORY_NAME)
    refresh_owner_counts(owner_ids=[owner.pk])
    return repository


def body(response) -> str:
    assert response.status_code == 200
    content = response.streaming_content if response.streaming else [response.content]
    return b"".join(content).decode()


def locations(client, url) -> list[str]:
    root = ET.fromstring(body(client.get(url)))
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_get_absolute_url_is_reverse_and_leads_to_the_page(client, repository):
    owner = repository.owner
    assert repository.get_absolute_url() == reverse(
        "catalog:detail", args=["gitlab.example.fr", f"{OWNER_PATH}/{REPOSITORY_NAME}"]
    )
    assert owner.get_absolute_url() == reverse(
        "owners:detail", args=["gitlab.example.fr", OWNER_PATH]
    )
    assert "%C3%A8" in owner.get_absolute_url()  # è, quoted

    assert client.get(repository.get_absolute_url()).status_code == 200
    assert client.get(owner.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("language", ["fr", "en"])
def test_get_absolute_url_follows_the_language(repository, language):
    owner = repository.owner
    with translation.override(language):
        assert repository.get_absolute_url() == reverse(
            "catalog:detail", args=[repository.forge.host, repository.full_path]
        )
        assert owner.get_absolute_url() == reverse(
            "owners:detail", args=[owner.forge.host, owner.path]
        )
    assert ("/en/" in repository.get_absolute_url()) is False


def test_an_empty_argument_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        cached_reverse("catalog:detail", "", "a/b")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_reverser_gives_what_reverse_gives(language):
    values = [("github.com", "a/b"), ("gitlab.example.fr", f"{OWNER_PATH}/{REPOSITORY_NAME}")]
    with translation.override(language):
        page = reverser("catalog:detail", arity=2)
        for host, path in values:
            assert page(host, path) == reverse("catalog:detail", args=[host, path])


def test_exports_link_to_the_pages(client, repository):
    owner = repository.owner

    rows = list(csv.DictReader(io.StringIO(body(client.get("/depots/?format=csv")))))
    assert [row["page"] for row in rows] == [SERVER + repository.get_absolute_url()]
    rows = json.loads(body(client.get("/depots/?format=json")))
    assert [row["page"] for row in rows] == [SERVER + repository.get_absolute_url()]

    rows = list(csv.DictReader(io.StringIO(body(client.get("/organisations/?format=csv")))))
    assert [row["page"] for row in rows] == [SERVER + owner.get_absolute_url()]
    rows = json.loads(body(client.get("/organisations/?format=json")))
    assert [row["page"] for row in rows] == [SERVER + owner.get_absolute_url()]


def test_feeds_link_to_the_pages(client, repository):
    owner = repository.owner

    root = ET.fromstring(body(client.get("/depots/flux.atom")))
    [entry] = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == SERVER + repository.get_absolute_url()

    feed_url = reverse("owner_feed", args=[owner.forge.host, owner.path])
    root = ET.fromstring(body(client.get(feed_url)))
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["alternate"] == SERVER + owner.get_absolute_url()
    [entry] = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == SERVER + repository.get_absolute_url()


def test_sitemaps_link_to_the_pages(client, repository):
    owner = repository.owner

    assert locations(client, "/sitemap-repositories.xml") == [
        SERVER + repository.get_absolute_url()
    ]
    assert locations(client, "/sitemap-organisations.xml") == [SERVER + owner.get_absolute_url()]


def test_a_language_asked_for_is_the_addresses_whatever_the_active_one(repository):
    args = [repository.forge.host, repository.full_path]
    with translation.override("en"):
        english = reverse("catalog:detail", args=args)
        french = cached_reverse("catalog:detail", *args, language="fr")
    with translation.override("fr"):
        assert french == reverse("catalog:detail", args=args)
        assert cached_reverse("catalog:detail", *args, language="en") == english
    assert english.startswith("/en/")
