import pytest

pytestmark = pytest.mark.django_db


def test_robots_txt_points_to_the_sitemap_and_hides_private_areas(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_sitemap_index_lists_its_sections(client):
    body = client.get("/sitemap.xml").content.decode()

    for section in ("static", "repositories", "organisations"):
        assert f"<loc>http://testserver/sitemap-{section}.xml</loc>" in body


def test_sitemap_lists_repositories_and_organisations(client):
    from catalog.services.counts import refresh_owner_counts
    from tests.factories import RepositoryFactory

    RepositoryFactory(full_path="dinum/app")
    RepositoryFactory(full_path="dinum/old", gone=True)
    refresh_owner_counts()

    repositories = client.get("/sitemap-repositories.xml").content.decode()
    assert "<loc>http://testserver/depots/github.com/dinum/app/</loc>" in repositories
    assert "dinum/old" not in repositories
    organisations = client.get("/sitemap-organisations.xml").content.decode()
    assert "/organisations/github.com/organisation-" in organisations


def test_sitemap_lists_each_page_in_both_languages(client):
    response = client.get("/sitemap-static.xml")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<loc>http://testserver/</loc>" in body
    assert "<loc>http://testserver/en/mentions-legales/</loc>" in body
    assert 'hreflang="en" href="http://testserver/en/depots/"' in body
