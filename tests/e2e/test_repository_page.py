"""A repository's page on a phone and on a desktop: the summary ("En bref") before the
similar repositories, and each score criterion's state in words."""

from playwright.sync_api import expect

REPOSITORY = "/depots/github.com/ignf/carte-interactive/"


def top(page, name):
    return page.get_by_role("heading", name=name, exact=True).bounding_box()["y"]


def test_on_a_phone_the_summary_comes_before_the_similar_repositories(
    mobile_page, url, catalogue, screenshot
):
    page = mobile_page
    page.goto(url(REPOSITORY))
    expect(page.get_by_role("heading", name="Dépôts similaires")).to_be_visible()

    summary, similar = top(page, "En bref"), top(page, "Dépôts similaires")
    assert summary < similar
    # Within the first two screens of a 390 x 844 phone.
    assert summary < 2 * page.viewport_size["height"]
    screenshot(page)


def test_on_a_desktop_the_summary_sits_beside_the_score(page, url, catalogue):
    page.goto(url(REPOSITORY))

    score = page.get_by_role("heading", name="Potentiel de réutilisation : 75/100")
    summary = page.get_by_role("heading", name="En bref", exact=True)
    assert abs(summary.bounding_box()["y"] - score.bounding_box()["y"]) < 50
    assert summary.bounding_box()["x"] > score.bounding_box()["x"] + 400
    readme = page.locator("li", has_text="README présent")
    expect(readme).to_contain_text("vérifié")
    expect(readme).not_to_contain_text("non vérifié")
    expect(page.locator("li", has_text="Guide de contribution")).to_contain_text("absent")
    page.get_by_role("link", name="Comment ce score est calculé").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Comment le potentiel de réutilisation est calculé"
    )


def test_a_repository_whose_root_files_were_never_listed_says_not_checked(page, url, catalogue):
    page.goto(url("/depots/gitlab.example.fr/inria/coq/"))

    expect(page.locator("li", has_text="README présent")).to_contain_text("non vérifié")
    expect(page.get_by_text("Calculé sur les 60 points qui ont pu être vérifiés")).to_be_visible()
