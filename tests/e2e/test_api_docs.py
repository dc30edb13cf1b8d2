"""/api/v1/docs/ renders Swagger UI from the site's own static files under the site's
Content-Security-Policy, with no violation, and can call the API."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_csp import Watched
from tests.factories import RepositoryFactory


@pytest.fixture
def rows(transactional_db):
    return RepositoryFactory.create_batch(2)


def test_the_api_docs_render_under_the_csp(page, url, rows, live_server):
    watched = Watched(page)
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto(url("/api/v1/docs/"))

    assert response.status == 200
    policy = response.header_value("content-security-policy") or ""
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    expect(page.locator(".swagger-ui .information-container")).to_contain_text("code.gouv.fr")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    assert "/api/v1/repositories/" in operations.all_inner_texts()
    # Try it out: the list of repositories, from the page.
    block = page.locator("#operations-repositories-repositories_list")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200")

    assert watched.violations() == []
    assert watched.exceptions == []
    assert [line for line in watched.console if "favicon" not in line] == []
    assert all(request.startswith(live_server.url) for request in requested), requested
