"""/api/v1/catalog.json: every live repository once, for publiccode.yml crawlers."""

import gzip
import json

import pytest
from django.urls import resolve

from catalog import crawler, tasks
from catalog.exports import export_dumps
from catalog.forges.raw import (
    gitea_raw_url,
    github_raw_url,
    gitlab_raw_url,
    gogs_raw_url,
    raw_file_url,
)
from catalog.listing_cache import bump_catalog_version
from core.signals import catalogue_changed
from tests.factories import ForgeFactory, OwnerFactory, RepositoryFactory

URL = "/api/v1/catalog.json"


def where(**overrides):
    return {
        "host": "github.com",
        "web_url": "https://github.com/etalab/mon-depot",
        "full_path": "etalab/mon-depot",
        "branch": "main",
        "name": "publiccode.yml",
    } | overrides


# --- Raw addresses, one rule per forge kind --------------------------------------------------


def test_github_raw_addresses():
    assert github_raw_url(**where()) == (
        "https://raw.githubusercontent.com/etalab/mon-depot/main/publiccode.yml"
    )
    # GitHub Enterprise serves raw files under the repository.
    enterprise = where(host="github.example.gouv.fr", web_url="https://github.example.gouv.fr/a/b")
    assert (
        github_raw_url(**enterprise) == "https://github.example.gouv.fr/a/b/raw/main/publiccode.yml"
    )


def test_gitlab_raw_addresses_keep_subgroups_and_encode_the_branch():
    gitlab = where(
        host="gitlab.example.fr",
        web_url="https://gitlab.example.fr/groupe/sous-groupe/projet/",
        full_path="groupe/sous-groupe/projet",
        branch="release/1.0 #2",
    )
    assert gitlab_raw_url(**gitlab) == (
        "https://gitlab.example.fr/groupe/sous-groupe/projet/-/raw/release/1.0%20%232/publiccode.yml"
    )


def test_gitea_forgejo_and_gogs_raw_addresses():
    forge = where(host="git.example.fr", web_url="https://git.example.fr/org/projet")
    assert (
        gitea_raw_url(**forge) == "https://git.example.fr/org/projet/raw/branch/main/publiccode.yml"
    )
    assert gogs_raw_url(**forge) == "https://git.example.fr/org/projet/raw/main/publiccode.yml"
    assert raw_file_url("forgejo", **forge) == gitea_raw_url(**forge)


def test_no_raw_address_without_a_rule_or_a_branch():
    assert raw_file_url("sourcehut", **where()) is None
    assert raw_file_url("github", **where(branch="")) is None
    assert raw_file_url("github", **where()) == github_raw_url(**where())


# --- The document -------------------------------------------------------------------------


@pytest.fixture
def dumps(settings, tmp_path):
    settings.DUMPS_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def catalogue(db):
    """Repositories of every kind a crawler must see, or not see."""
    gitlab = ForgeFactory(host="gitlab.example.fr", kind="gitlab")
    rows = {
        "with": RepositoryFactory(default_branch="main", root_files=["README", "publiccode.yml"]),
        "without": RepositoryFactory(default_branch="main", root_files=["README"]),
        "never-listed": RepositoryFactory(default_branch="main", root_files=None),
        "archived": RepositoryFactory(
            archived=True, default_branch="master", root_files=["publiccode.yml"]
        ),
        "fork": RepositoryFactory(fork=True, default_branch="main", root_files=[]),
        "gitlab": RepositoryFactory(
            owner=OwnerFactory(forge=gitlab, path="groupe/sous-groupe"),
            default_branch="develop",
            root_files=["publiccode.yml"],
        ),
    }
    RepositoryFactory(gone=True, root_files=["publiccode.yml"])  # gone: never listed
    return rows


def document(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = b"".join(response.streaming_content)
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)


def test_every_live_repository_once_with_its_publiccode_address(client, dumps, catalogue):
    data = document(client.get(URL))["data"]

    assert [item["url"] for item in data] == [row.web_url for row in catalogue.values()]
    by_url = {item["url"]: item["publiccode_url"] for item in data}
    assert by_url == {
        catalogue["with"].web_url: (
            f"https://raw.githubusercontent.com/{catalogue['with'].full_path}/main/publiccode.yml"
        ),
        catalogue["without"].web_url: None,
        catalogue["never-listed"].web_url: None,
        catalogue["archived"].web_url: (
            f"https://raw.githubusercontent.com/{catalogue['archived'].full_path}"
            "/master/publiccode.yml"
        ),
        catalogue["fork"].web_url: None,
        catalogue["gitlab"].web_url: f"{catalogue['gitlab'].web_url}/-/raw/develop/publiccode.yml",
    }


def test_mounted_before_any_api_include():
    assert resolve(URL).url_name == "api_catalog"


def test_the_written_file_is_served_compressed_or_not(client, dumps, catalogue):
    assert crawler.write() == 6

    compressed = client.get(URL, headers={"accept-encoding": "gzip, br"})
    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    data = document(compressed)["data"]
    assert len(data) == 6
    plain = client.get(URL)
    assert "Content-Encoding" not in plain
    assert document(plain)["data"] == data
    assert client.get(URL, headers={"if-none-match": plain["ETag"]}).status_code == 304


def test_an_older_file_is_sent_while_a_worker_writes_the_next(
    client, dumps, catalogue, monkeypatch
):
    asked = []
    monkeypatch.setattr(tasks, "tasks_run_in_process", lambda: False)
    monkeypatch.setattr(tasks, "schedule_crawler_catalog", lambda: asked.append(1))
    crawler.write()
    assert len(document(client.get(URL))["data"]) == 6 and asked == []

    added = RepositoryFactory(root_files=[])
    bump_catalog_version()  # as every write to the catalogue does

    assert len(document(client.get(URL))["data"]) == 6  # the older file, at once
    assert asked == [1]  # and a new one asked for
    tasks.write_crawler_catalog()
    data = document(client.get(URL))["data"]
    assert added.web_url in [item["url"] for item in data] and asked == [1]


def test_without_a_worker_a_changed_catalogue_is_streamed_from_the_database(
    client, dumps, catalogue
):
    crawler.write()
    added = RepositoryFactory(root_files=[])
    bump_catalog_version()

    response = client.get(URL)
    assert "Content-Encoding" not in response  # streamed, not the file
    assert added.web_url in [item["url"] for item in document(response)["data"]]


def test_a_harvest_run_that_changed_the_catalogue_asks_for_a_new_file(monkeypatch, db):
    sent = []
    monkeypatch.setattr(tasks, "tasks_run_in_process", lambda: False)
    monkeypatch.setattr(
        tasks, "enqueue_after_commit_once", lambda task, **options: sent.append(task.name)
    )

    catalogue_changed.send(sender=None)

    assert "catalog.write_crawler_catalog" in sent


def test_the_daily_dumps_write_it_and_the_data_page_links_it(client, dumps, catalogue):
    export_dumps(directory=dumps, base_url="https://code.gouv.fr")

    assert json.loads(gzip.decompress((dumps / crawler.FILE).read_bytes()))["data"]
    page = client.get("/donnees/").content.decode()
    assert f'href="/donnees/{crawler.FILE}" download>{crawler.FILE}' in page
    assert f'href="{URL}"' in page and 'href="/sill/sill.json"' in page
    dictionary = client.get("/donnees/dictionnaire/").content.decode()
    assert "publiccode_url" in dictionary


def test_a_page_of_any_origin_may_read_it(client, catalogue):
    response = client.get(URL, headers={"origin": "https://catalogue.example.eu"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "origin" in response["Vary"].lower()  # a shared cache keeps one copy per origin
    assert "Access-Control-Allow-Credentials" not in response
    document(response)  # read to the end: the streamed download gives its slot back
