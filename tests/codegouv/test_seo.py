import pytest

pytestmark = pytest.mark.django_db


def test_robots_txt_points_to_the_sitemap_and_hides_private_areas(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_sitemap_lists_each_page_in_both_languages(client):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<loc>http://testserver/</loc>" in body
    assert "<loc>http://testserver/en/mentions-legales/</loc>" in body
    assert 'hreflang="en" href="http://testserver/en/depots/"' in body
