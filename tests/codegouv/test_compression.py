"""Pages, JSON and exports are gzipped for clients that accept it (GZipMiddleware); static
files keep whitenoise's own precompressed copies and are never compressed twice."""

import csv
import gzip
import io
import json
import uuid
from pathlib import Path

import pytest
import requests
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static

from catalog.models import Repository
from tests.factories import OwnerFactory, RepositoryFactory

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
ROWS = 1_200  # more than two of the exports' chunks of 500 rows


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def many_repositories(db):
    owner = OwnerFactory(path="etalab", name="Etalab")
    Repository.objects.bulk_create(
        RepositoryFactory.build(
            owner=owner, description=f"Dépôt « n° {n} » du portail {uuid.uuid4().hex}"
        )
        for n in range(ROWS)
    )
    return owner


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/depots/", "/statistiques/", "/sill/"])
def test_pages_are_gzipped_when_the_client_accepts_it(client, path):
    plain = client.get(path)
    gzipped = client.get(path, **GZIP)

    assert plain.status_code == gzipped.status_code == 200
    assert "Content-Encoding" not in plain
    assert gzipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in gzipped["Vary"]
    plain_bytes, gzipped_bytes = body(plain), body(gzipped)
    assert len(gzipped_bytes) < len(plain_bytes)
    text = gzip.decompress(gzipped_bytes).decode()
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")


def test_the_json_export_streams_gzipped_and_arrives_whole(client, many_repositories):
    plain = body(client.get("/depots/?format=json&sort=name"))
    response = client.get("/depots/?format=json&sort=name", **GZIP)

    assert response.streaming is True
    assert response["Content-Encoding"] == "gzip"
    assert "Content-Length" not in response
    chunks = list(response.streaming_content)
    # Sent piece by piece as the rows are read (gzip header, blocks, trailer), not buffered.
    assert len(chunks) > 3
    data = json.loads(gzip.decompress(b"".join(chunks)))
    assert len(data) == ROWS
    assert data == json.loads(plain)
    assert any(row["description"].startswith("Dépôt « n° 0 » du portail") for row in data)


def test_the_csv_export_round_trips_through_gzip(client, many_repositories):
    plain = body(client.get("/depots/?format=csv&sort=name"))
    response = client.get("/depots/?format=csv&sort=name", **GZIP)

    assert response.streaming is True
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    unzipped = gzip.decompress(body(response))
    assert unzipped == plain
    rows = list(csv.DictReader(io.StringIO(unzipped.decode("utf-8"))))
    assert len(rows) == ROWS


def test_a_gzipped_download_frees_its_slot_when_it_ends(client, many_repositories, settings):
    settings.EXPORT_MAX_CONCURRENT = 1

    for _ in range(3):
        response = client.get("/depots/?format=json", **GZIP)
        assert response.status_code == 200
        assert len(json.loads(gzip.decompress(body(response)))) == ROWS


def test_the_export_over_http_is_gzipped_and_parses(live_server, transactional_db):
    RepositoryFactory.create_batch(30, owner=OwnerFactory(path="dinum"))

    response = requests.get(
        f"{live_server.url}/depots/?format=json", headers={"Accept-Encoding": "gzip"}, timeout=10
    )

    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.json()) == 30  # requests decompresses


@pytest.mark.django_db
def test_static_files_keep_whitenoises_precompressed_copy_and_are_not_compressed_twice(client):
    name = "dsfr/dist/dsfr.min.css"
    css = client.get(static(name), HTTP_ACCEPT_ENCODING="gzip")
    icon = client.get(static("dsfr/dist/favicon/apple-touch-icon.png"), **GZIP)

    # whitenoise answers before GZipMiddleware, with the copy made by collectstatic: decoded
    # once, it is the stylesheet.
    assert css["Content-Encoding"] == "gzip"
    original = Path(staticfiles_storage.path(staticfiles_storage.stored_name(name))).read_bytes()
    assert gzip.decompress(b"".join(css.streaming_content)) == original
    # A PNG has no compressed copy and is sent as is.
    assert "Content-Encoding" not in icon
    assert b"".join(icon.streaming_content).startswith(b"\x89PNG")
