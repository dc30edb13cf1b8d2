"""A visitor looks for an office suite in the SILL."""

import re

from playwright.sync_api import expect


def test_sill_search_filter_by_status_and_open_a_software(page, url, sill_software, screenshot):
    page.goto(url("/sill/"))
    page.locator("#sill-q").fill("bureautique")
    page.locator("#sill-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/sill/\?q=bureautique"))
    expect(page.locator("#result-count")).to_contain_text("2")

    page.locator("section[aria-labelledby='facet-status'] a").first.click()
    expect(page).to_have_url(re.compile(r"status="))
    expect(page.locator("#result-count")).to_contain_text("1")

    page.locator(".fr-card__title a").first.click()
    expect(page).to_have_url(re.compile(r"/sill/(libreoffice|onlyoffice)/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Office")
    screenshot(page)
