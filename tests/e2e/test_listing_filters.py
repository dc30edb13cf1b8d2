"""A citizen filters the repositories: on a phone the results come first and the filters
open from a button; on a desktop Python + free licence take two clicks; without JavaScript
the filters are still there."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import MOBILE


def shown_count(page):
    return int(re.sub(r"\D", "", page.locator("#result-count").inner_text()))


def test_on_a_phone_the_first_result_shows_before_any_filter(
    mobile_page, url, catalogue, screenshot
):
    page = mobile_page
    page.goto(url("/depots/"))

    first = page.locator(".fr-card").first
    box = first.bounding_box()
    assert box["y"] < MOBILE["height"], box  # in the first screen, no scrolling
    free = page.locator("section[aria-labelledby='facet-license'] a", has_text="Licence libre")
    expect(free).to_be_hidden()
    screenshot(page, "closed")

    page.get_by_role("button", name="Filtrer les résultats").click()
    expect(free).to_be_visible()
    screenshot(page, "open")
    free.click()
    expect(page).to_have_url(re.compile(r"license=free"))
    assert shown_count(page) == 9  # every repository of the catalogue but the unlicensed one
    expect(
        page.get_by_role("button", name="Filtrer les résultats (1 filtre actif)")
    ).to_be_visible()


def test_python_and_a_free_licence_in_two_clicks(page, url, catalogue):
    page.goto(url("/depots/"))
    page.locator("section[aria-labelledby='facet-language'] a", has_text="Python").click()
    expect(page).to_have_url(re.compile(r"language=Python"))
    page.locator("section[aria-labelledby='facet-license'] a", has_text="Licence libre").click()

    expect(page).to_have_url(re.compile(r"license=free"))
    assert shown_count(page) == 3  # the Python ones under MIT; scikit-carte has no licence
    names = [name.strip() for name in page.locator(".fr-card__title a").all_inner_texts()]
    assert sorted(names) == ["etalab/adresse-carte", "etalab/code-gouv", "ignf/cartes-tuiles"]


def test_without_javascript_a_phone_still_reaches_every_filter(browser, live_server, catalogue):
    context = browser.new_context(viewport=MOBILE, java_script_enabled=False, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/depots/")
        free = page.locator("section[aria-labelledby='facet-license'] a", has_text="Licence libre")
        expect(free).to_be_visible()
        expect(page.get_by_role("button", name="Filtrer les résultats")).to_be_hidden()
        free.click()
        expect(page).to_have_url(re.compile(r"license=free"))
        # The sort still applies with its button.
        page.locator("#id_sort").select_option(label="Trier par : Étoiles")
        page.get_by_role("button", name="Trier", exact=True).click()
        expect(page).to_have_url(re.compile(r"sort=stars"))
    finally:
        context.close()
