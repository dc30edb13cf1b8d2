"""The Awesome selection: the editors' check, the import of code.gouv.fr's list, the pages."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.awesome import IMPORT_NOTE, import_awesome, logo_url, mark_awesome
from catalog.models import AWESOME_CRITERIA, Forge, Owner, Repository
from catalog.services.harvest import harvest_owner
from tests.factories import OwnerFactory, RepositoryFactory
from tests.fakeforge import FakeForge

pytestmark = pytest.mark.django_db

ALL_CRITERIA = dict.fromkeys(AWESOME_CRITERIA, True)
CHECKED_ON = date(2025, 10, 1)


def listed(response):
    """Full paths of the repositories shown, in order."""
    return re.findall(
        r'<h3 class="fr-card__title">\s*<a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def awesome(**kwargs):
    repository = RepositoryFactory(**kwargs)
    return mark_awesome(repository=repository, criteria=ALL_CRITERIA, checked_on=CHECKED_ON)


@pytest.mark.parametrize("missing", AWESOME_CRITERIA)
def test_mark_awesome_refuses_a_missing_criterion(missing):
    repository = RepositoryFactory()

    with pytest.raises(ValueError, match="doit remplir les cinq critères"):
        mark_awesome(
            repository=repository,
            criteria=ALL_CRITERIA | {missing: False},
            checked_on=CHECKED_ON,
        )

    repository.refresh_from_db()
    assert not repository.is_awesome
    assert not Repository.objects.awesome().exists()


def test_mark_awesome_records_the_check():
    repository = RepositoryFactory()

    mark_awesome(
        repository=repository, criteria=ALL_CRITERIA, checked_on=CHECKED_ON, note="Vu en comité"
    )

    repository = Repository.objects.get(pk=repository.pk)
    assert repository.is_awesome
    assert (repository.awesome_checked_at, repository.awesome_note) == (CHECKED_ON, "Vu en comité")
    assert list(Repository.objects.awesome()) == [repository]


def test_an_undated_check_is_not_awesome():
    RepositoryFactory(**ALL_CRITERIA)

    assert not Repository.objects.awesome().exists()
    assert not Repository.objects.get().is_awesome


def test_import_matches_urls_whatever_their_case_slash_or_git_suffix(
    django_assert_max_num_queries,
):
    RepositoryFactory(web_url="https://github.com/Etalab/Outil/")
    RepositoryFactory(web_url="https://gitlab.example.fr/dinum/groupe/app.git")
    RepositoryFactory(web_url="https://github.com/etalab/outil-bis")  # a longer path: no match
    RepositoryFactory(web_url="https://github.com/etalab/gone", gone=True)
    text = """
https://github.com/etalab/outil:
  added: 2023-11-30
https://GitLab.example.fr/dinum/groupe/app/:
  added: 2023-11-30
https://github.com/etalab/gone:
  added: 2023-11-30
https://github.com/ailleurs/inconnu:
  added: 2023-11-30
"""

    # One read of every candidate, one update of the matches, whatever the list's length
    # (plus the savepoint and its release).
    with django_assert_max_num_queries(4):
        report = import_awesome(text=text, checked_on=CHECKED_ON)

    assert report.marked == [
        "https://github.com/etalab/outil",
        "https://GitLab.example.fr/dinum/groupe/app/",
    ]
    assert report.unmatched == [
        "https://github.com/etalab/gone",
        "https://github.com/ailleurs/inconnu",
    ]
    assert set(Repository.objects.awesome().values_list("web_url", flat=True)) == {
        "https://github.com/Etalab/Outil/",
        "https://gitlab.example.fr/dinum/groupe/app.git",
    }
    assert set(Repository.objects.awesome().values_list("awesome_note", flat=True)) == {IMPORT_NOTE}


def test_import_keeps_an_editors_own_check():
    repository = RepositoryFactory(web_url="https://github.com/etalab/outil")
    mark_awesome(
        repository=repository, criteria=ALL_CRITERIA, checked_on=CHECKED_ON, note="Vu en comité"
    )

    report = import_awesome(
        text="https://github.com/etalab/outil:\n  added: 2023-11-30\n",
        checked_on=date(2026, 1, 1),
    )

    assert (report.marked, report.already) == ([], ["https://github.com/etalab/outil"])
    repository.refresh_from_db()
    assert (repository.awesome_checked_at, repository.awesome_note) == (CHECKED_ON, "Vu en comité")


def test_a_malformed_list_is_refused():
    with pytest.raises(ValueError, match="La liste Awesome doit associer"):
        import_awesome(text="- just\n- a list\n", checked_on=CHECKED_ON)


def test_the_awesome_page_lists_exactly_the_awesome_repositories(client):
    owner = OwnerFactory(path="dinum")
    awesome(owner=owner, name="choisi", score=40)
    awesome(owner=owner, name="prefere", score=90)
    awesome(owner=owner, name="disparu", gone=True)
    RepositoryFactory(owner=owner, name="ordinaire", **ALL_CRITERIA)  # not dated
    RepositoryFactory(owner=owner, name="autre")

    response = client.get("/depots/awesome/")

    assert response.status_code == 200
    html = response.content.decode()
    assert listed(response) == ["dinum/prefere", "dinum/choisi"]
    assert "<h1>Sélection Awesome</h1>" in html
    assert "utilisé ou déployé par plusieurs administrations" in html
    assert 'aria-current="page">Sélection Awesome</a>' in html


def test_the_awesome_page_without_any_awesome_repository(client):
    RepositoryFactory()

    response = client.get("/depots/awesome/")

    assert response.status_code == 200
    assert "Aucun dépôt n’a encore été retenu" in response.content.decode()


def test_the_awesome_filter_and_badge_on_the_listing(client):
    owner = OwnerFactory(path="dinum")
    awesome(owner=owner, name="choisi")
    RepositoryFactory(owner=owner, name="autre")

    assert listed(client.get("/depots/?awesome=true")) == ["dinum/choisi"]
    assert listed(client.get("/depots/?awesome=false")) == ["dinum/autre"]
    assert sorted(listed(client.get("/depots/"))) == ["dinum/autre", "dinum/choisi"]

    html = client.get("/depots/").content.decode()
    cards = dict(re.findall(r'<a href="[^"]+">(dinum/\w+)</a>(.*?)fr-card__end', html, re.S))
    assert ">Awesome</span>" in cards["dinum/choisi"]
    assert ">Awesome</span>" not in cards["dinum/autre"]
    filtered = client.get("/depots/?awesome=true").content.decode()
    assert 'aria-label="Retirer le filtre Sélection Awesome : oui"' in filtered


def test_a_cached_listing_shows_the_badge_once_marked(client):
    owner = OwnerFactory(path="dinum")
    repository = RepositoryFactory(owner=owner, name="choisi")
    assert ">Awesome</span>" not in client.get("/depots/").content.decode()

    mark_awesome(repository=repository, criteria=ALL_CRITERIA, checked_on=CHECKED_ON)

    assert ">Awesome</span>" in client.get("/depots/").content.decode()
    assert listed(client.get("/depots/?awesome=true")) == ["dinum/choisi"]


@pytest.mark.parametrize("url", ["/depots/awesome/", "/depots/?awesome=true"])
def test_query_count_does_not_grow_with_rows(client, url):
    owner = OwnerFactory(path="org")
    client.get(url)  # warms the caches every page shares (the footer's guide pages)

    def queries_for(rows):
        for _ in range(rows):
            awesome(owner=owner)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert ">Awesome</span>" in response.content.decode()
        return len(captured)

    assert queries_for(5) == queries_for(10)


@pytest.fixture
def fake_github():
    server = FakeForge("github").start()
    yield server
    server.stop()


def test_the_harvest_never_resets_the_editors_check(fake_github, settings):
    settings.HARVEST_READ_TIMEOUT = 1
    settings.HARVEST_MAX_RETRIES = 2
    remote = fake_github.add_repo("dinum", "app", description="avant", license="MIT")
    forge = Forge.objects.create(host="github.test", kind="github", api_url=fake_github.api_url)
    owner = Owner.objects.create(forge=forge, path="dinum")
    harvest_owner(owner_id=owner.pk)
    repository = Repository.objects.get(full_path="dinum/app")
    mark_awesome(
        repository=repository, criteria=ALL_CRITERIA, checked_on=CHECKED_ON, note="Vu en comité"
    )

    remote.description = "après"
    remote.touch()
    run = harvest_owner(owner_id=owner.pk)

    assert run.updated == 1
    repository = Repository.objects.get(full_path="dinum/app")
    assert repository.description == "après"
    assert repository.is_awesome
    assert (repository.awesome_checked_at, repository.awesome_note) == (CHECKED_ON, "Vu en comité")


# --- The cards: logo, long description, users and funders from publiccode.yml ------------

PUBLICCODE = {
    "publiccodeYmlVersion": "0.4",
    "name": "Choisi",
    "logo": "./docs/logo choisi.svg",
    "description": {
        "en": {"shortDescription": "Chosen", "longDescription": "An English description."},
        "fr": {"shortDescription": "Choisi", "longDescription": "Une longue description."},
    },
    "usedBy": ["Ville d’Exemple", "DINUM", "dinum", ""],
    "fundedBy": [
        {"name": "Ministère de l’Exemple", "uri": "https://www.example.gouv.fr/"},
        {"name": "Fonds piégé", "uri": "javascript:alert(1)"},
        "Région Exemple",
    ],
}


def card_of(html, full_path):
    """From the card's title to the next card (or the link after the last one)."""
    rest = html.split(f">{full_path}</a>")[1]
    return rest.split('class="fr-mb-2w codegouv-card"')[0].split("?awesome=true")[0]


def test_an_awesome_card_shows_logo_long_description_users_and_funders(client):
    owner = OwnerFactory(path="dinum")
    awesome(owner=owner, name="choisi", publiccode=PUBLICCODE, default_branch="main")

    html = client.get("/depots/awesome/").content.decode()

    card = card_of(html, "dinum/choisi")
    assert "fr-card--horizontal" in html.split(">dinum/choisi</a>")[0].rsplit("codegouv-card", 1)[1]
    assert (
        'src="https://raw.githubusercontent.com/dinum/choisi/main/docs/logo%20choisi.svg"' in card
    )
    assert "Une longue description." in card  # French first
    assert "An English description." not in card
    assert re.search(r"<dt>Utilisé par</dt>\s*<dd>Ville d’Exemple, DINUM</dd>", card)
    assert re.search(
        r'<dt>Financé par</dt>\s*<dd><a href="https://www.example.gouv.fr/" rel="noopener">'
        r"Ministère de l’Exemple</a>, Fonds piégé, Région Exemple</dd>",
        card,
    )
    assert "javascript:" not in html


def test_an_awesome_card_without_publiccode_is_a_plain_card(client):
    owner = OwnerFactory(path="dinum")
    awesome(owner=owner, name="choisi")
    awesome(owner=owner, name="bizarre", publiccode={"logo": 12, "usedBy": "DINUM"})

    html = client.get("/depots/awesome/").content.decode()

    for full_path in ("dinum/choisi", "dinum/bizarre"):
        card = card_of(html, full_path)
        assert "<img" not in card and "fr-card--horizontal" not in card
        assert "Utilisé par" not in card and "Financé par" not in card
        assert ">Awesome</span>" in card


@pytest.mark.parametrize(
    ("kind", "host", "logo", "expected"),
    [
        (
            "github",
            "github.com",
            "https://cdn.example.fr/logo.png",
            "https://cdn.example.fr/logo.png",
        ),
        ("github", "github.com", "http://cdn.example.fr/logo.png", ""),  # blocked as mixed content
        ("github", "github.com", "javascript:alert(1)//x.png", ""),
        ("github", "github.com", "../../secret.png", ""),
        (
            "github",
            "github.com",
            "/logo.png",
            "https://raw.githubusercontent.com/dinum/app/HEAD/logo.png",
        ),
        (
            "gitlab",
            "gitlab.example.fr",
            "img/logo.png",
            "https://gitlab.example.fr/dinum/app/-/raw/HEAD/img/logo.png",
        ),
        ("sourcehut", "git.sr.ht", "logo.png", ""),
    ],
)
def test_a_logo_is_an_https_address_or_a_file_the_forge_serves(kind, host, logo, expected):
    forge = Forge.objects.create(host=host, kind=kind, api_url=f"https://{host}/api")
    repository = RepositoryFactory(owner=OwnerFactory(forge=forge, path="dinum"), name="app")

    assert logo_url(repository, logo) == expected


def test_the_awesome_page_is_in_the_sitemap(client):
    body = client.get("/sitemap-static.xml").content.decode()

    assert "<loc>http://testserver/depots/awesome/</loc>" in body
    assert 'hreflang="en" href="http://testserver/en/depots/awesome/"' in body
