import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from catalog.models import Forge, Owner, Repository
from catalog.search import update_search_vectors

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def make_forge(host="github.com"):
    return Forge.objects.get_or_create(
        host=host, defaults={"kind": "github", "api_url": "https://api.github.com"}
    )[0]


def make_owner(path="etalab", forge=None, **fields):
    return Owner.objects.create(forge=forge or make_forge(), path=path, **fields)


def make_repository(owner, name, *, days_ago=0, **fields):
    return Repository.objects.create(
        forge=owner.forge,
        owner=owner,
        remote_id=f"{owner.path}-{name}",
        full_path=f"{owner.path}/{name}",
        name=name,
        web_url=f"https://{owner.forge.host}/{owner.path}/{name}",
        first_seen_at=timezone.now() - timedelta(days=days_ago),
        **fields,
    )


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entry_titles(root):
    return [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]


def test_the_feed_lists_the_newest_visible_repositories_first(client):
    owner = make_owner()
    make_repository(
        owner,
        "ancien",
        days_ago=10,
        description="Un vieux dépôt",
        topics=["carto", "python"],
        updated_at=datetime(2024, 5, 1, tzinfo=UTC),
    )
    make_repository(owner, "nouveau", days_ago=1)
    make_repository(owner, "disparu", gone_since=timezone.now())

    root = parse(client.get("/depots/flux.atom"))

    assert root.findtext(f"{ATOM}title") == "Nouveaux dépôts — code.gouv.fr"
    assert entry_titles(root) == ["etalab/nouveau", "etalab/ancien"]
    entry = root.findall(f"{ATOM}entry")[1]
    assert (
        entry.find(f"{ATOM}link").get("href")
        == "http://testserver/depots/github.com/etalab/ancien/"
    )
    assert entry.findtext(f"{ATOM}summary") == "Un vieux dépôt"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "etalab"
    assert entry.findtext(f"{ATOM}updated") == "2024-05-01T00:00:00+00:00"
    assert entry.findtext(f"{ATOM}published")
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["carto", "python"]
    assert entry.findtext(f"{ATOM}id") == "urn:codegouv:repository:github.com:etalab-ancien"
    # Every entry has the elements Atom requires.
    for entry in root.findall(f"{ATOM}entry"):
        assert entry.findtext(f"{ATOM}id") and entry.findtext(f"{ATOM}updated")


def test_a_search_has_its_own_feed(client):
    owner = make_owner()
    make_repository(owner, "carto-python", description="Cartographie", language="Python")
    make_repository(owner, "carto-js", description="Cartographie", language="JavaScript")
    make_repository(owner, "budget", description="Budget", language="Python")
    update_search_vectors()

    root = parse(client.get("/depots/flux.atom", {"q": "carto", "language": "Python"}))

    assert entry_titles(root) == ["etalab/carto-python"]
    subtitle = root.findtext(f"{ATOM}subtitle")
    assert "« carto »" in subtitle
    assert "Python" in subtitle
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["alternate"] == "http://testserver/depots/?q=carto&language=Python"
    assert links["self"] == "http://testserver/depots/flux.atom?q=carto&language=Python"


def test_the_feed_holds_at_most_fifty_entries(client):
    owner = make_owner()
    Repository.objects.bulk_create(
        Repository(
            forge=owner.forge,
            owner=owner,
            remote_id=str(index),
            full_path=f"etalab/depot{index}",
            name=f"depot{index}",
            web_url=f"https://github.com/etalab/depot{index}",
        )
        for index in range(55)
    )

    assert len(entry_titles(parse(client.get("/depots/flux.atom")))) == 50


def test_feed_queries_do_not_grow_with_the_entries(client, django_assert_num_queries):
    forge = make_forge()
    for index in range(3):
        make_repository(make_owner(f"org{index}", forge), "app", topics=["a"])
    with django_assert_num_queries(1):
        client.get("/depots/flux.atom")
    with django_assert_num_queries(2):
        client.get("/organisations/github.com/org0/flux.atom")

    for index in range(3, 6):
        make_repository(make_owner(f"org{index}", forge), "app", topics=["a"])
        make_repository(Owner.objects.get(path="org0"), f"app{index}", topics=["b"])
    with django_assert_num_queries(1):
        client.get("/depots/flux.atom")
    with django_assert_num_queries(2):
        client.get("/organisations/github.com/org0/flux.atom")


def test_the_owner_feed_lists_its_repositories(client):
    owner = make_owner(name="Etalab", description="Les données ouvertes")
    other = make_owner("betagouv")
    make_repository(owner, "codegouv", days_ago=2)
    make_repository(owner, "archive", days_ago=1, is_archived=True)
    make_repository(owner, "parti", gone_since=timezone.now())
    make_repository(other, "emplois")

    # The path is matched without regard to case, as forges do.
    root = parse(client.get("/organisations/github.com/Etalab/flux.atom"))

    assert root.findtext(f"{ATOM}title") == "Nouveaux dépôts de Etalab — code.gouv.fr"
    assert root.findtext(f"{ATOM}subtitle") == "Les données ouvertes"
    assert entry_titles(root) == ["etalab/archive", "etalab/codegouv"]
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["alternate"] == "http://testserver/organisations/github.com/etalab/"


def test_an_unknown_owner_has_no_feed(client):
    make_owner()

    assert client.get("/organisations/github.com/inconnu/flux.atom").status_code == 404
    assert client.get("/organisations/gitlab.com/etalab/flux.atom").status_code == 404


def test_the_english_feed_is_in_english_urls(client):
    make_repository(make_owner(), "app")

    root = parse(client.get("/en/depots/flux.atom"))

    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert len(entry_titles(root)) == 1
