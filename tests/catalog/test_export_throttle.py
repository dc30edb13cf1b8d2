"""At most EXPORT_MAX_CONCURRENT full downloads stream at once; the next one gets a 429."""

import threading

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connections
from django.urls import reverse

from catalog.exports import EXPORT_SEMAPHORE
from core import throttle

# The slots are PostgreSQL advisory locks.
pytestmark = pytest.mark.django_db

DOWNLOADS = [
    "/depots/?format=json",
    "/depots/?format=csv&q=etalab",
    "/organisations/?format=csv",
    "/organisations/?format=json&sort=stars",
    "/sill/?format=csv",
    "/contributions/?format=json",
]


@pytest.fixture(autouse=True)
def two_slots(settings):
    settings.EXPORT_MAX_CONCURRENT = 2
    # Nor find one that an earlier test (a download it did not read) left taken.
    throttle.release_all()
    yield
    # A failing test must not leave a slot taken in the session the next test reuses.
    throttle.release_all()


def read(response):
    return b"".join(response.streaming_content)


def close_like_a_wsgi_server(response):
    """What gunicorn does when the client goes away: close() without reading to the end.
    (As the test client does, without closing the test's database connection.)"""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def assert_refused(response):
    assert response.status_code == 429
    assert response["Retry-After"].isdigit() and int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Erreur 429" in html and "fr-header" in html
    assert f'href="{reverse("data:index")}"' in html


def slot_from_another_process():
    """What another worker would get: a slot taken from a database session of its own."""
    result = {}

    def take():
        try:
            result["slot"] = throttle.acquire(EXPORT_SEMAPHORE, limit=2)
            if result["slot"] is not None:
                result["slot"].release()
        finally:
            connections.close_all()

    thread = threading.Thread(target=take)
    thread.start()
    thread.join(timeout=30)
    return result["slot"]


@pytest.mark.parametrize("url", DOWNLOADS)
def test_the_download_beyond_the_limit_gets_a_429_pointing_to_the_dumps(client, url):
    first = client.get("/depots/?format=json")
    second = client.get("/organisations/?format=csv")
    assert (first.status_code, second.status_code) == (200, 200)

    assert_refused(client.get(url))

    read(first)
    read(second)


def test_the_slots_are_shared_with_other_processes(client):
    downloads = [client.get("/depots/?format=json"), client.get("/sill/?format=json")]

    assert slot_from_another_process() is None

    read(downloads[0])
    assert slot_from_another_process() is not None
    read(downloads[1])


def test_a_slot_is_free_again_once_the_download_is_complete(client):
    first = client.get("/depots/?format=json")
    second = client.get("/depots/?format=csv")
    assert_refused(client.get("/depots/?format=json"))

    assert read(first).startswith(b"[")

    third = client.get("/depots/?format=json")
    assert third.status_code == 200
    assert read(third) == b"[]\n"
    read(second)


def test_a_slot_is_free_again_when_the_client_goes_away_mid_download(client):
    first = client.get("/depots/?format=json")
    second = client.get("/contributions/?format=csv")
    assert_refused(client.get("/depots/?format=json"))

    close_like_a_wsgi_server(first)

    third = client.get("/depots/?format=json")
    assert third.status_code == 200
    read(third)
    close_like_a_wsgi_server(second)
    assert slot_from_another_process() is not None


def test_a_compressed_download_frees_its_slot_too(client):
    """GZipMiddleware wraps the stream: the slot still goes back at the end or on close."""
    gzip = {"accept-encoding": "gzip"}
    first = client.get("/depots/?format=json", headers=gzip)
    second = client.get("/sill/?format=csv", headers=gzip)
    assert first["Content-Encoding"] == "gzip"
    refused = client.get("/depots/?format=json", headers=gzip)
    assert refused.status_code == 429 and refused["Retry-After"]

    read(first)
    close_like_a_wsgi_server(second)

    assert slot_from_another_process() is not None
    downloads = [client.get("/depots/?format=csv", headers=gzip) for _ in range(2)]
    assert [response.status_code for response in downloads] == [200, 200]
    for response in downloads:
        read(response)


def test_the_limit_comes_from_the_settings(client, settings):
    settings.EXPORT_MAX_CONCURRENT = 1
    first = client.get("/depots/?format=json")

    assert_refused(client.get("/organisations/?format=json"))

    read(first)
    settings.EXPORT_MAX_CONCURRENT = 3
    downloads = [client.get(url) for url in DOWNLOADS[:3]]
    assert [response.status_code for response in downloads] == [200, 200, 200]
    assert_refused(client.get(DOWNLOADS[3]))
    for response in downloads:
        read(response)


def test_html_pages_are_never_throttled(client):
    downloads = [client.get("/depots/?format=json"), client.get("/depots/?format=csv")]

    assert client.get("/depots/").status_code == 200
    assert client.get("/organisations/?sort=stars").status_code == 200

    for response in downloads:
        read(response)


@pytest.mark.django_db(transaction=True)
def test_downloads_go_ahead_when_the_database_cannot_count(client, monkeypatch):
    """A failure to count must not turn into failed downloads (outside a transaction, as
    in production: the failed query does not poison the rest of the request)."""

    def broken_key(name):
        return 2**40  # out of range for the int4 key: PostgreSQL refuses the query

    monkeypatch.setattr(throttle, "lock_key", broken_key)

    responses = [client.get("/depots/?format=json") for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 200]
