import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def api(client):
    """GET an API address (a path under /api/v1/ or an absolute link it gave)."""

    def get(path, **params):
        if not path.startswith("http"):
            path = "/api/v1/" + path.lstrip("/")
        return client.get(path, params or None)

    return get


def traverse(api, path, **params):
    """Every item of a list, following the `next` links; asserts each page is a 200."""
    items, url, pages = [], None, 0
    response = api(path, **params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["results"]
        pages += 1
        url = body["next"]
        if not url:
            return items
        assert pages < 10_000
        response = api(url)


@pytest.fixture
def count_queries():
    def run(function):
        with CaptureQueriesContext(connection) as queries:
            function()
        return len(queries)

    return run
