"""An editor puts something forward on the home page through the admin."""

from playwright.sync_api import expect

from editorial.models import Highlight


def test_editor_adds_a_highlight_shown_on_the_home_page(
    page, url, catalogue, django_user_model, screenshot
):
    django_user_model.objects.create_superuser(
        email="editrice@numerique.gouv.fr", password="correct horse battery staple"
    )
    page.goto(url("/admin/login/?next=/admin/editorial/highlight/add/"))
    page.locator("#id_username").fill("editrice@numerique.gouv.fr")
    page.locator("#id_password").fill("correct horse battery staple")
    page.locator("input[type=submit], button[type=submit]").first.click()

    expect(page.locator("#id_title")).to_be_visible()
    page.locator("#id_title").fill("Les contributions de l’État à OpenStreetMap")
    page.locator("#id_text").fill("Ce que les agents publics apportent à la carte libre.")
    page.locator("#id_url").fill("https://www.openstreetmap.org/")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist, .success").first).to_be_visible()
    assert Highlight.objects.filter(url="https://www.openstreetmap.org/").exists()

    page.goto(url("/"))
    highlights = page.locator("section[aria-labelledby='home-highlights']")
    expect(highlights).to_contain_text("Les contributions de l’État à OpenStreetMap")
    screenshot(page)
