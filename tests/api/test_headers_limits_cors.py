"""Conditional GETs, cache headers, the API version, the rate limit, CORS."""

import socket

import pytest
from django.core.cache import caches

from catalog.models import Repository
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def repository():
    return RepositoryFactory()


@pytest.mark.parametrize("path", ["repositories/", "repositories/{pk}/", "repositories/facets/"])
def test_cache_headers_and_conditional_gets(client, repository, path):
    url = "/api/v1/" + path.format(pk=repository.pk)

    response = client.get(url)

    assert response["Cache-Control"] == "public, max-age=300"
    assert response["API-Version"] == "1.0"
    etag = response["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert not again.content
    if path != "repositories/facets/":
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert since.status_code == 304


def test_a_change_changes_the_etag(client, repository):
    etag = client.get(f"/api/v1/repositories/{repository.pk}/")["ETag"]
    Repository.objects.filter(pk=repository.pk).update(stars=12)

    response = client.get(f"/api/v1/repositories/{repository.pk}/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_errors_carry_the_version_too(client):
    response = client.get("/api/v1/repositories/", {"page_size": "0"})

    assert response["API-Version"] == "1.0"
    assert "max-age=300" not in response.get("Cache-Control", "")


def test_the_rate_limit_answers_429_with_its_headers(client, repository, settings):
    settings.API_RATE_LIMIT = (3, 3600)

    answers = [client.get("/api/v1/repositories/") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    refused = answers[-1]
    assert refused["X-RateLimit-Limit"] == "3"
    assert int(refused["Retry-After"]) > 0
    assert int(refused["X-RateLimit-Reset"]) > 0
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429


def test_searches_have_their_own_lower_limit(client, repository, settings):
    settings.API_SEARCH_RATE_LIMIT = (2, 60)

    searches = [client.get("/api/v1/repositories/", {"q": f"mot{n}"}) for n in range(3)]
    browse = client.get("/api/v1/repositories/")

    assert [a.status_code for a in searches] == [200, 200, 429]
    assert searches[-1]["X-RateLimit-Limit"] == "2"
    assert browse.status_code == 200


def test_each_client_address_has_its_own_count(client, repository, settings):
    settings.API_RATE_LIMIT = (1, 3600)

    assert client.get("/api/v1/forges/", REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get("/api/v1/forges/", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get("/api/v1/forges/", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_the_forwarded_address_counts_only_behind_the_proxy(client, repository, settings):
    settings.API_RATE_LIMIT = (1, 3600)
    forged = {"HTTP_X_FORWARDED_FOR": "1.2.3.4", "REMOTE_ADDR": "10.0.0.9"}

    client.get("/api/v1/forges/", **forged)
    # Not behind the proxy: the header is the client's own, ignored.
    other = {"HTTP_X_FORWARDED_FOR": "5.6.7.8", "REMOTE_ADDR": "10.0.0.9"}
    assert client.get("/api/v1/forges/", **other).status_code == 429

    settings.LOGIN_IP_FROM_FORWARDED_FOR = True
    assert client.get("/api/v1/forges/", **{**other, "REMOTE_ADDR": "10.0.0.8"}).status_code == 200
    behind = {"HTTP_X_FORWARDED_FOR": "forged, 5.6.7.8", "REMOTE_ADDR": "10.0.0.7"}
    assert client.get("/api/v1/forges/", **behind).status_code == 429


def test_the_api_answers_when_the_cache_is_down(client, repository, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.API_RATE_LIMIT = (1, 3600)
    try:
        for path in ("repositories/", "repositories/facets/", f"repositories/{repository.pk}/"):
            for _ in range(2):  # uncounted: never refused
                response = client.get(f"/api/v1/{path}")
                assert response.status_code == 200
                assert "X-RateLimit-Limit" not in response
    finally:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        caches["default"].clear()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/repositories/",
        "/api/v1/schema/",
        "/donnees/",
        "/sill/sill.json",
        "/sill/catalogi.json",
        "/api/v1/catalog.json",
        "/depots/?format=csv",
        "/depots/?format=json",
        "/organisations/?format=json",
        "/contributions/?format=csv",
        "/en/depots/?format=json",
    ],
)
def test_cors_lets_any_origin_read_without_credentials(client, repository, path):
    response = client.get(path, HTTP_ORIGIN="https://example.org")
    response.close()  # an export gives its slot back (core.throttle)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert not response.cookies


def test_cors_preflight(client):
    response = client.options(
        "/api/v1/repositories/",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/depots/", "/compte/connexion/", "/admin/"])
def test_no_cors_on_pages(client, path):
    response = client.get(path, HTTP_ORIGIN="https://example.org")

    assert "Access-Control-Allow-Origin" not in response


def test_api_answers_are_not_in_the_page_cache(client, repository, settings):
    settings.CACHE_MIDDLEWARE_SECONDS = 60
    client.get("/api/v1/repositories/")
    Repository.objects.filter(pk=repository.pk).update(stars=7)

    assert client.get("/api/v1/repositories/").json()["results"][0]["stars"] == 7
    settings.API_RATE_LIMIT = (1, 3600)
    assert client.get("/api/v1/", REMOTE_ADDR="10.1.1.1").status_code == 200
    # Counted again, not served from the page cache.
    assert client.get("/api/v1/", REMOTE_ADDR="10.1.1.1").status_code == 429
