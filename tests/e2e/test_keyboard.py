"""A keyboard-only visitor: skip link, search field, visible focus all the way."""

import re

from playwright.sync_api import expect

FOCUS_STYLE = """() => {
  const style = getComputedStyle(document.activeElement);
  return {outline: style.outlineStyle, width: style.outlineWidth, shadow: style.boxShadow};
}"""


def assert_focus_visible(page):
    style = page.evaluate(FOCUS_STYLE)
    visible_outline = style["outline"] != "none" and style["width"] not in ("0px", "")
    assert visible_outline or style["shadow"] not in ("none", ""), style


def focused(page, expression):
    return page.evaluate(f"() => document.activeElement && document.activeElement.{expression}")


def test_keyboard_only_visitor_skips_to_content_and_searches(page, url, catalogue, screenshot):
    page.goto(url("/"))

    page.keyboard.press("Tab")
    assert focused(page, "textContent.trim()") == "Contenu"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#content$"))
    assert focused(page, "id") == "content"

    for _ in range(30):
        page.keyboard.press("Tab")
        if focused(page, "id") == "home-search":
            break
        assert_focus_visible(page)
    assert focused(page, "id") == "home-search"
    assert_focus_visible(page)

    page.keyboard.type("carte")
    page.keyboard.press("Enter")
    # The home page searches the whole portal: repositories, SILL software, organisations.
    expect(page).to_have_url(re.compile(r"/recherche/\?q=carte"))
    expect(page.get_by_role("link", name="Voir les 6 dépôts")).to_be_visible()
    screenshot(page)
