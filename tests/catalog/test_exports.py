import csv
import gzip
import io
import json
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from catalog import crawler, exports, tasks
from catalog.exports import (
    OWNER_COLUMNS,
    REPOSITORY_COLUMNS,
    csv_response,
    export_dumps,
    json_response,
    owner_rows,
    repository_rows,
)
from catalog.filters import filter_repositories
from catalog.models import Forge, Owner, PublicBody, Repository
from catalog.search import update_search_vectors
from catalog.services.counts import refresh_owner_counts
from contributions.exports import CONTRIBUTION_COLUMNS
from sill.exports import SOFTWARE_COLUMNS

pytestmark = pytest.mark.django_db

BASE_URL = "https://code.example.fr"


def make_forge(host="github.com"):
    return Forge.objects.get_or_create(
        host=host, defaults={"kind": "github", "api_url": "https://api.github.com"}
    )[0]


def make_owner(forge=None, path="etalab", **fields):
    return Owner.objects.create(forge=forge or make_forge(), path=path, **fields)


def make_repository(owner, name, **fields):
    return Repository.objects.create(
        forge=owner.forge,
        owner=owner,
        remote_id=f"{owner.path}-{name}",
        full_path=f"{owner.path}/{name}",
        name=name,
        web_url=f"https://{owner.forge.host}/{owner.path}/{name}",
        **fields,
    )


def read_stream(response):
    assert response.streaming is True
    return b"".join(response.streaming_content).decode("utf-8")


def read_csv(response):
    """A streamed CSV download: a UTF-8 byte-order mark first, for spreadsheet software."""
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    return raw.decode("utf-8-sig")


@pytest.fixture
def catalog():
    body = PublicBody.objects.create(name="Direction interministérielle du numérique")
    owner = make_owner(path="etalab", name="Etalab", public_body=body)
    other = make_owner(path="betagouv")
    make_repository(
        owner,
        "codegouv",
        description="Le portail « code.gouv.fr »",
        topics=["open-data", "portail"],
        root_files=["README", "CONTRIBUTING"],
        license_spdx="MIT",
        language="Python",
        stars=12,
        publiccode_valid=True,
        created_at=datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    make_repository(owner, "ancien", stars=100, gone_since=timezone.now())
    make_repository(other, "emplois", stars=3, is_archived=True)
    refresh_owner_counts()
    return owner


def test_csv_has_the_dictionary_columns_in_order_and_one_row_per_visible_repository(catalog):
    queryset = Repository.objects.visible()
    response = csv_response(
        repository_rows(queryset, base_url=BASE_URL), REPOSITORY_COLUMNS, filename="depots.csv"
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"depots.csv\"; filename*=UTF-8''depots.csv"
    )
    reader = csv.DictReader(io.StringIO(read_csv(response)))
    rows = list(reader)
    assert reader.fieldnames == [column.name for column in REPOSITORY_COLUMNS]
    assert len(rows) == queryset.count() == 2
    assert {row["full_path"] for row in rows} == {"etalab/codegouv", "betagouv/emplois"}
    row = next(row for row in rows if row["name"] == "codegouv")
    assert row["url"] == "https://github.com/etalab/codegouv"
    assert row["public_body"] == "Direction interministérielle du numérique"
    assert row["description"] == "Le portail « code.gouv.fr »"
    assert row["topics"] == "open-data,portail"
    assert row["has_readme"] == row["has_contributing"] == row["has_publiccode"] == "true"
    assert row["is_fork"] == "false"
    assert row["created_at"] == "2020-01-02T03:04:05+00:00"
    assert row["pushed_at"] == ""
    assert row["license"] == "MIT"
    assert row["page"] == "https://code.example.fr/depots/github.com/etalab/codegouv/"
    assert row["software_heritage_url"] == (
        "https://archive.softwareheritage.org/browse/origin/"
        "?origin_url=https%3A%2F%2Fgithub.com%2Fetalab%2Fcodegouv"
    )


def test_json_is_an_array_of_the_filtered_repositories(catalog):
    _filterset, queryset = filter_repositories({"language": "python"})
    response = json_response(repository_rows(queryset, base_url=BASE_URL), filename="depots.json")

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"depots.json\"; filename*=UTF-8''depots.json"
    )
    raw = b"".join(response.streaming_content)
    assert not raw.startswith(b"\xef\xbb\xbf")  # JSON stays plain UTF-8
    data = json.loads(raw)
    assert len(data) == queryset.count() == 1
    assert list(data[0]) == [column.name for column in REPOSITORY_COLUMNS]
    assert data[0]["topics"] == ["open-data", "portail"]
    assert data[0]["stars"] == 12
    assert data[0]["has_publiccode"] is True
    assert data[0]["pushed_at"] is None


def test_a_search_exports_in_relevance_order(catalog):
    update_search_vectors()
    _filterset, queryset = filter_repositories({"q": "portail"})

    rows = list(repository_rows(queryset.order_by("-rank", "-score"), base_url=BASE_URL))

    assert [row["full_path"] for row in rows] == ["etalab/codegouv"]


def test_an_empty_export_is_still_valid(db):
    queryset = Repository.objects.visible()
    assert (
        json.loads(
            read_stream(
                json_response(repository_rows(queryset, base_url=BASE_URL), filename="x.json")
            )
        )
        == []
    )
    text = read_csv(
        csv_response(
            repository_rows(queryset, base_url=BASE_URL), REPOSITORY_COLUMNS, filename="x.csv"
        )
    )
    assert text.splitlines() == [",".join(column.name for column in REPOSITORY_COLUMNS)]


def test_owner_rows_count_only_visible_repositories(catalog):
    make_owner(path="vide")
    rows = {row["path"]: row for row in owner_rows(Owner.objects.all(), base_url=BASE_URL)}

    assert set(rows) == {"etalab", "betagouv", "vide"}
    assert list(rows["etalab"]) == [column.name for column in OWNER_COLUMNS]
    assert rows["etalab"]["repositories"] == 1
    assert rows["etalab"]["stars"] == 12
    assert rows["etalab"]["public_body"] == "Direction interministérielle du numérique"
    assert rows["etalab"]["page"] == "https://code.example.fr/organisations/github.com/etalab/"
    assert rows["vide"]["repositories"] == rows["vide"]["stars"] == 0


def fill(count, *, start=0):
    forge = make_forge("gitlab.example.fr")
    for index in range(start, start + count):
        owner = make_owner(forge, path=f"org{index}")
        make_repository(owner, f"depot{index}", topics=["a"])


@pytest.mark.parametrize("kind", ["repositories", "owners"])
def test_streaming_reads_the_database_once_whatever_the_number_of_rows(
    kind, django_assert_num_queries
):
    def export():
        if kind == "repositories":
            rows = repository_rows(Repository.objects.visible(), base_url=BASE_URL)
            response = csv_response(rows, REPOSITORY_COLUMNS, filename="x.csv")
        else:
            rows = owner_rows(Owner.objects.all(), base_url=BASE_URL)
            response = json_response(rows, filename="x.json")
        return read_stream(response)

    fill(3)
    with django_assert_num_queries(1):
        small = export()
    fill(3, start=3)
    with django_assert_num_queries(1):
        large = export()
    assert len(large) > len(small)


def test_export_response_streams_the_requested_format(catalog, rf):
    request = rf.get("/depots/", {"format": "csv"})
    response = exports.export_response(Repository.objects.visible(), fmt="csv", request=request)
    rows = list(csv.DictReader(io.StringIO(read_csv(response))))
    assert rows[0]["page"].startswith("http://testserver/depots/")

    response = exports.export_response(
        Owner.objects.all(), fmt="json", request=request, kind="owners"
    )
    name = f"organisations-{timezone.localdate().isoformat()}.json"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    )
    assert len(json.loads(read_stream(response))) == 2


def read_gzip(path):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as stream:
        return stream.read()


def test_dumps_are_written_with_their_metadata(catalog, tmp_path):
    metadata = export_dumps(directory=tmp_path, base_url=BASE_URL)

    assert metadata["counts"] == {
        "repositories": 2,
        "organisations": 2,
        "accounts": 2,
        "crawler": 2,
        "sill": 0,
        "contributions": 0,
    }
    repositories = list(csv.DictReader(io.StringIO(read_gzip(tmp_path / "repositories.csv.gz"))))
    assert {row["full_path"] for row in repositories} == {"etalab/codegouv", "betagouv/emplois"}
    assert len(json.loads(read_gzip(tmp_path / "repositories.json.gz"))) == 2
    owners = list(csv.DictReader(io.StringIO(read_gzip(tmp_path / "organisations.csv.gz"))))
    assert [row["path"] for row in owners] == ["betagouv", "etalab"]
    # betagouv's only repository is archived: listed, with no "dépôt" counted, as on the site.
    dumped = json.loads(read_gzip(tmp_path / "organisations.json.gz"))
    assert [row["repositories"] for row in dumped] == [0, 1]
    on_disk = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
    assert on_disk == metadata
    assert on_disk["files"]["repositories.csv.gz"]["rows"] == 2
    # Nothing half-written is left behind.
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [*exports.dump_files(), crawler.META]
    )


def test_a_failed_dump_keeps_the_previous_files(catalog, tmp_path, monkeypatch):
    export_dumps(directory=tmp_path, base_url=BASE_URL)
    before = (tmp_path / "repositories.csv.gz").read_bytes()

    def broken(queryset, *, base_url):
        yield {"url": "x"}
        raise RuntimeError("database went away")

    monkeypatch.setattr(exports, "repository_rows", broken)
    with pytest.raises(RuntimeError):
        export_dumps(directory=tmp_path, base_url=BASE_URL)

    assert (tmp_path / "repositories.csv.gz").read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [*exports.dump_files(), crawler.META]
    )


def test_the_task_writes_the_dumps_where_the_settings_say(catalog, tmp_path, settings):
    settings.DUMPS_ROOT = tmp_path / "dumps"

    result = tasks.export_dumps_task.delay().get()

    assert result["repositories"] == 2 and result["organisations"] == 2
    assert (tmp_path / "dumps" / "metadata.json").is_file()


def test_the_data_page_says_when_the_dumps_are_not_generated_yet(client, tmp_path, settings):
    settings.DUMPS_ROOT = tmp_path

    response = client.get("/donnees/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Licence Ouverte / Etalab 2.0" in content
    assert "pas encore été générés" in content
    assert "/depots/?format=csv" in content


def test_the_data_page_lists_the_dumps_and_they_download(catalog, client, tmp_path, settings):
    settings.DUMPS_ROOT = tmp_path
    export_dumps(directory=tmp_path, base_url=BASE_URL)

    page = client.get("/donnees/").content.decode()
    for name in ("repositories.csv.gz", "organisations.json.gz"):
        assert f'href="/donnees/{name}"' in page

    response = client.get("/donnees/repositories.csv.gz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert response["Content-Disposition"] == 'attachment; filename="repositories.csv.gz"'
    body = gzip.decompress(b"".join(response.streaming_content)).decode("utf-8")
    assert body.startswith("url,forge,owner,")

    response = client.get("/donnees/metadata.json")
    assert json.loads(b"".join(response.streaming_content))["counts"]["repositories"] == 2


@pytest.mark.parametrize(
    "url",
    [
        "/donnees/inconnu.csv.gz",
        "/donnees/settings.py",
        "/donnees/../settings.py",
        "/donnees/..%2Fsettings.py",
        "/donnees/..%2F..%2Fcodegouv%2Fsettings.py",
    ],
)
def test_only_known_dumps_can_be_downloaded(client, tmp_path, settings, url):
    settings.DUMPS_ROOT = tmp_path / "dumps"
    (tmp_path / "settings.py").write_text("SECRET = 1")

    assert client.get(url).status_code == 404


def test_a_known_dump_not_generated_yet_is_not_found(client, tmp_path, settings):
    settings.DUMPS_ROOT = tmp_path

    assert client.get("/donnees/repositories.json.gz").status_code == 404


def test_the_data_dictionary_describes_every_column(client):
    response = client.get("/donnees/dictionnaire/")

    assert response.status_code == 200
    content = response.content.decode()
    for column in [*REPOSITORY_COLUMNS, *OWNER_COLUMNS, *SOFTWARE_COLUMNS, *CONTRIBUTION_COLUMNS]:
        assert f"<code>{column.name}</code>" in content
    for anchor in ("repositories", "organisations", "sill", "contributions"):
        assert f'id="{anchor}"' in content
    assert "Adresse de l’origine du dépôt dans l’archive Software Heritage." in content


def test_the_data_page_lists_every_data_set_with_its_files(catalog, client, tmp_path, settings):
    from tests.factories import ContributionFactory, SoftwareFactory

    SoftwareFactory(name="LibreOffice")
    ContributionFactory.create_batch(2)
    ContributionFactory(pending=True)  # never published, never exported
    settings.DUMPS_ROOT = tmp_path
    export_dumps(directory=tmp_path, base_url=BASE_URL)

    page = client.get("/donnees/").content.decode()
    for title, names in {
        "Dépôts": ("repositories.csv.gz", "repositories.json.gz"),
        "Organisations": ("organisations.csv.gz", "organisations.json.gz"),
        "Logiciels recommandés (SILL)": ("sill.csv.gz", "sill.json.gz"),
        "Contributions": ("contributions.csv.gz", "contributions.json.gz"),
        "Liste des comptes des organismes publics": ("comptes-organismes-publics.yml",),
    }.items():
        assert f">{title}</h3>" in page
        for name in names:
            assert f'href="/donnees/{name}" download>{name}' in page
    assert "CSV gzip – " in page and "YAML – " in page
    assert "1 ligne</span>" in page and "2 lignes</span>" in page
    assert 'href="/donnees/dictionnaire/#sill"' in page
    assert "pas encore été générés" not in page

    contributions = json.loads(read_gzip(tmp_path / "contributions.json.gz"))
    assert len(contributions) == 2
    software = list(csv.DictReader(io.StringIO(read_gzip(tmp_path / "sill.csv.gz"))))
    assert [row["name"] for row in software] == ["LibreOffice"]
    response = client.get("/donnees/comptes-organismes-publics.yml")
    accounts = b"".join(response.streaming_content).decode()
    assert "github.com:" in accounts


def disposition(response) -> tuple[str, bytes]:
    """The file name a browser saves a download under (the plain parameter); the download
    is read to its end (which frees its slot among the concurrent downloads)."""
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="')
    plain = header.split('filename="', 1)[1].split('"', 1)[0]
    assert header.endswith(f"; filename*=UTF-8''{plain}")
    return plain, body


def test_a_download_is_named_after_its_filters_and_the_day(catalog, client):
    today = timezone.localdate().isoformat()

    # In the form's order, whatever the order of the address; labels and values in ASCII.
    response = client.get("/depots/?license=MIT&language=Python&format=csv")
    name, body = disposition(response)
    assert name == f"depots-langage-python-licence-mit-{today}.csv"
    assert body.startswith(b"\xef\xbb\xbf")
    response = client.get("/depots/?language=Python&license=MIT&format=json")
    assert disposition(response)[0] == f"depots-langage-python-licence-mit-{today}.json"

    response = client.get("/depots/?q=portail+été&format=csv")
    assert disposition(response)[0] == f"depots-recherche-portail-ete-{today}.csv"
    # A filter the form refuses is not in the name; nothing filtered: the subject and the day.
    response = client.get("/organisations/?kind=nonsense&format=csv")
    assert disposition(response)[0] == f"organisations-{today}.csv"


def test_a_long_search_gives_a_bounded_name(catalog, client):
    today = timezone.localdate().isoformat()
    response = client.get("/depots/", {"q": "carte " * 60, "format": "csv"})
    name = disposition(response)[0]
    assert name.startswith("depots-recherche-carte-carte-") and name.endswith(f"-{today}.csv")
    assert "--" not in name and len(name) <= len(f"depots--{today}.csv") + 80
