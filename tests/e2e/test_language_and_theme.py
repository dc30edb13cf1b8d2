"""A visitor reads the English version, comes back to French, then picks the dark theme."""

from playwright.sync_api import expect


def test_switch_to_english_and_back_then_dark_theme(page, url, catalogue, screenshot):
    page.goto(url("/depots/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.locator("footer").get_by_role("link", name="English version").click()
    expect(page).to_have_url(url("/en/depots/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Source code")

    page.locator("footer").get_by_role("link", name="Version française").click()
    expect(page).to_have_url(url("/depots/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Codes sources")

    page.locator("footer").get_by_role("button", name="Paramètres d’affichage").click()
    dialog = page.locator("#fr-theme-modal")
    expect(dialog).to_be_visible()
    dialog.locator("label[for='fr-radios-theme-dark']").click()
    expect(page.locator("html")).to_have_attribute("data-fr-theme", "dark")
    screenshot(page)
