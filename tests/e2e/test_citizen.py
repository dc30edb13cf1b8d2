"""A citizen looks for public maps code, narrows the results, and downloads them.

The other journeys have their own modules:
- an agent declares that their administration uses a SILL software and a contribution, an
  editor publishes it from the moderation queue, the public finds it: test_agent.py;
- an editor puts a repository forward on the home page: test_editor.py.
"""

import csv
import io
import re

from playwright.sync_api import expect


def shown_count(page):
    text = page.locator("#result-count").inner_text()
    return int(re.sub(r"\D", "", text))


def test_citizen_searches_filters_sorts_opens_and_exports(page, url, catalogue, screenshot):
    page.goto(url("/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("codes sources")
    search = page.get_by_label("Rechercher un code source, un logiciel du SILL ou une organisation")
    search.fill("carte")
    search.press("Enter")

    # The search of the whole portal: repositories, SILL software, organisations.
    expect(page).to_have_url(re.compile(r"/recherche/\?q=carte"))
    expect(page.get_by_role("heading", level=2, name="Dépôts de code source (6)")).to_be_visible()
    expect(page.get_by_text("Aucun logiciel du SILL ne correspond.")).to_be_visible()
    page.get_by_role("link", name="Voir les 6 dépôts").click()

    expect(page).to_have_url(re.compile(r"/depots/\?q=carte"))
    everything = shown_count(page)
    assert everything == 6

    page.locator("section[aria-labelledby='facet-language'] a", has_text="JavaScript").click()
    expect(
        page.get_by_role("link", name=re.compile("Retirer le filtre.*JavaScript"))
    ).to_be_visible()
    assert shown_count(page) == 3

    page.locator("section[aria-labelledby='facet-license'] a", has_text="MIT").click()
    expect(page.get_by_role("link", name=re.compile("Retirer le filtre.*MIT"))).to_be_visible()
    assert shown_count(page) == 2

    # The sort applies as soon as it is chosen (the "Trier" button is for no JavaScript).
    page.locator("#id_sort").select_option(label="Trier par : Étoiles")
    expect(page).to_have_url(re.compile(r"sort=stars"))
    titles = page.locator(".fr-card__title a").all_inner_texts()
    assert [title.strip() for title in titles] == [
        "ignf/carte-interactive",
        "ignf/geoportail-carte",
    ]
    listing_url = page.url

    page.locator(".fr-card__title a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("carte-interactive")
    page.get_by_role("link", name="IGN France").first.click()
    expect(page).to_have_url(re.compile(r"/organisations/github\.com/ignf/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("IGN France")

    page.go_back()
    page.go_back()
    expect(page).to_have_url(listing_url)
    count = shown_count(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(io.StringIO(stream.read())))
    assert len(rows) == count == 2
    screenshot(page)


def test_citizen_finds_what_a_ministry_publishes(page, url, catalogue, screenshot):
    """From the main navigation to a ministry, one of its bodies, then its repositories."""
    from catalog.models import PublicBody

    ign = PublicBody.objects.get(name="Institut national de l’information géographique")
    ecology = PublicBody.objects.create(
        name="Ministère de la Transition écologique", slug="transition-ecologique", is_ministry=True
    )
    PublicBody.objects.filter(pk=ecology.pk).update(ministry=ecology)
    PublicBody.objects.filter(pk=ign.pk).update(parent=ecology, ministry=ecology, acronym="IGN")

    page.goto(url("/"))
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Ministères"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ministères")
    row = page.get_by_role("row", name=re.compile("Ministère de la Transition écologique"))
    expect(row).to_contain_text("4")  # its four repositories
    row.get_by_role("link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ministère de la Transition écologique"
    )
    page.get_by_role("link", name="Institut national de l’information géographique").first.click()
    expect(page.get_by_text("IGN", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Ministère de la Transition écologique")).to_be_visible()
    screenshot(page, "body")
    page.get_by_role("link", name="Rechercher dans ses dépôts").click()

    expect(page).to_have_url(re.compile(r"/depots/\?public_body="))
    assert shown_count(page) == 4
    facet = page.locator("section[aria-labelledby='facet-ministry']")
    expect(facet).to_contain_text("Ministère de la Transition écologique")
    screenshot(page, "repositories")
