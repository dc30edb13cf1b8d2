"""The public catalogue pages as a visitor uses them."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalog.models import Repository
from catalog.search import update_search_vectors
from catalog.services.counts import refresh_owner_counts
from tests.factories import ForgeFactory, OwnerFactory, PublicBodyFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


def listed(response):
    """Full paths of the repositories shown, in order."""
    return re.findall(
        r'<h3 class="fr-card__title">\s*<a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def result_count(response):
    match = re.search(r'id="result-count">\s*([\d\s]+)', response.content.decode())
    return int(match.group(1).replace(" ", ""))


def test_gone_repositories_are_never_listed_and_archived_ones_only_when_asked(client):
    RepositoryFactory(full_path="org/live")
    RepositoryFactory(full_path="org/gone", gone=True)
    RepositoryFactory(full_path="org/old", archived=True)

    assert listed(client.get("/depots/")) == ["org/live"]
    assert sorted(listed(client.get("/depots/?archived=include"))) == ["org/live", "org/old"]
    assert listed(client.get("/depots/?archived=only")) == ["org/old"]
    assert client.get("/depots/github.com/org/gone/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("forge=gitlab.example.fr", {"b"}),
        ("owner=dinum", {"a", "c"}),
        ("owner=github.com/dinum", {"a", "c"}),
        ("language=ocaml", {"b"}),
        ("license=free", {"a", "b"}),
        ("license=none", {"c"}),
        ("license=AGPL-3.0-only", {"b"}),
        ("topic=open-data", {"a"}),
        ("publiccode=true", {"b"}),
        ("contributing=true", {"a"}),
        ("fork=true", {"c"}),
        ("fork=false", {"a", "b"}),
        ("active=true", {"a", "b"}),
        ("min_stars=10", {"b"}),
        ("language=Python&license=free", {"a"}),
    ],
)
def test_each_filter(client, query, expected):
    now = timezone.now()
    dinum = OwnerFactory(path="dinum")
    inria = OwnerFactory(path="inria", forge=ForgeFactory(gitlab=True))
    RepositoryFactory(
        owner=dinum,
        name="a",
        topics=["open-data"],
        root_files=["CONTRIBUTING"],
        pushed_at=now,
        stars=3,
    )
    RepositoryFactory(
        owner=inria,
        name="b",
        language="OCaml",
        license_spdx="AGPL-3.0-only",
        publiccode_valid=True,
        pushed_at=now - timedelta(days=30),
        stars=12,
    )
    RepositoryFactory(
        owner=dinum,
        name="c",
        license_spdx="NOASSERTION",
        fork=True,
        pushed_at=now - timedelta(days=800),
    )

    names = {path.rsplit("/", 1)[1] for path in listed(client.get(f"/depots/?{query}"))}

    assert names == expected


def test_active_filters_are_shown_as_removable_tags(client):
    RepositoryFactory()

    html = client.get("/depots/?language=Python&min_stars=2&sort=stars").content.decode()

    assert 'aria-label="Retirer le filtre Langage : Python"' in html
    assert 'href="?min_stars=2&amp;sort=stars"' in html  # the tag that removes language


def test_facet_counts_follow_the_result_set(client):
    for language, count in (("Python", 3), ("Go", 2), ("Rust", 1)):
        for _ in range(count):
            RepositoryFactory(language=language, topics=["cli", language.lower()])
    RepositoryFactory(language="Go", gone=True)

    html = client.get("/depots/").content.decode()
    facet = re.search(r'id="facet-language">.*?</section>', html, re.S).group(0)
    assert re.findall(r"([A-Za-z]+) <span class=\"fr-badge fr-badge--sm\">(\d+)", facet) == [
        ("Python", "3"),
        ("Go", "2"),
        ("Rust", "1"),
    ]
    topics = re.search(r'id="facet-topic">.*?</section>', html, re.S).group(0)
    assert 'cli <span class="fr-badge fr-badge--sm">6' in topics

    html = client.get("/depots/?language=Go").content.decode()
    topics = re.search(r'id="facet-topic">.*?</section>', html, re.S).group(0)
    assert 'cli <span class="fr-badge fr-badge--sm">2' in topics


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("stars", ["o/many", "o/some", "o/none"]),
        ("name", ["o/many", "o/none", "o/some"]),
        ("score", ["o/none", "o/some", "o/many"]),
        ("bogus", ["o/none", "o/some", "o/many"]),  # unknown sort: the default (score)
    ],
)
def test_sorts(client, sort, expected):
    owner = OwnerFactory(path="o")
    RepositoryFactory(owner=owner, name="many", stars=100, score=10)
    RepositoryFactory(owner=owner, name="some", stars=10, score=50)
    RepositoryFactory(owner=owner, name="none", stars=0, score=90)

    assert listed(client.get(f"/depots/?sort={sort}")) == expected


def test_the_sort_select_shows_the_sorts_and_sizes_in_use_in_each_language(client):
    RepositoryFactory(name="outil-de-cartographie")

    def options(url):
        html = client.get(url).content.decode()
        return re.findall(r'<option value="(\w+)"( selected)?>([^<]+)</option>', html)

    french = options("/depots/?q=cartographie&sort=stars&per_page=50")
    assert ("relevance", "", "Trier par : Pertinence") in french
    assert ("stars", " selected", "Trier par : Étoiles") in french
    assert ("50", " selected", "50 par page") in french
    english = options("/en/depots/?per_page=100")
    assert ("stars", "", "Sort by: Stars") in english
    assert ("100", " selected", "100 per page") in english
    # Relevance is offered to a search only.
    assert "relevance" not in [value for value, _selected, _text in english]


def test_pagination_shows_the_pages_around_the_current_one(client):
    RepositoryFactory.create_batch(281, language="Python")  # 15 pages

    html = client.get("/depots/?page=8&language=Python").content.decode()
    nav = re.search(r'<nav role="navigation" class="fr-pagination.*?</nav>', html, re.S).group(0)

    assert re.findall(r'aria-current="page" title="Page (\d+)">', nav) == ["8"]
    linked = re.findall(r'href="\?page=(\d+)&amp;language=Python" title="Page \d+">', nav)
    assert linked == ["1", "2", "5", "6", "7", "9", "10", "11", "14", "15"]
    assert nav.count("…</span>") == 2
    # First page: `page` left out; previous, next and last keep the other parameters.
    assert 'fr-pagination__link--first" href="?language=Python"' in nav
    assert '--lg-label" href="?page=7&amp;language=Python">Page précédente' in nav
    assert 'fr-pagination__link--last" href="?page=15&amp;language=Python"' in nav
    english = client.get("/en/depots/?page=2").content.decode()
    assert 'href="?page=3" title="Page 3">3</a>' in english
    assert 'fr-pagination__link--first" href="?"' in english


def test_pagination_keeps_the_other_parameters_and_refuses_pages_past_the_end(client):
    RepositoryFactory.create_batch(45, language="Python")

    first = client.get("/depots/?language=Python&per_page=20")
    assert len(listed(first)) == 20 and result_count(first) == 45
    assert 'href="?language=Python&amp;per_page=20&amp;page=2"' in first.content.decode()
    assert len(listed(client.get("/depots/?language=Python&per_page=20&page=3"))) == 5
    assert len(listed(client.get("/depots/?page=abc"))) == 20
    assert len(listed(client.get("/depots/?per_page=7"))) == 20  # unknown size: default
    past = client.get("/depots/?page=99")
    assert past.status_code == 404 and "Page non trouvée" in past.content.decode()


@pytest.mark.parametrize("query", ["sort=stars", "q=outil&sort=relevance", "q=outil&sort=name"])
def test_pages_follow_one_another_in_the_order_chosen(client, query):
    owner = OwnerFactory(path="o")
    for i in range(45):
        RepositoryFactory(
            owner=owner,
            name=f"r{i:02d}",
            stars=i % 7,
            description="outil outil" if i % 3 else "un outil",
        )
    update_search_vectors()
    order = {
        "sort=stars": ("-stars", "full_path"),
        "q=outil&sort=relevance": ("-rank", "-score", "full_path"),
        "q=outil&sort=name": ("name", "full_path"),
    }[query]
    rows = Repository.objects.visible()
    if "q=" in query:
        rows = rows.search("outil")
    expected = [r.full_path for r in rows.order_by(*order)]

    shown = [listed(client.get(f"/depots/?{query}&page={n}")) for n in (1, 2, 3)]

    assert [len(page) for page in shown] == [20, 20, 5]
    assert shown[0] + shown[1] + shown[2] == expected
    # Pages 2 and 3 read the summary page 1 cached, then their ids in a query of their own;
    # without it, the summary's statement gives the page's ids: the same rows either way.
    for n in (3, 2, 1):
        cache.clear()
        assert listed(client.get(f"/depots/?{query}&page={n}")) == shown[n - 1]
    cache.clear()
    assert listed(client.get(f"/depots/?{query}&page=abc")) == shown[0]
    assert client.get(f"/depots/?{query}&page=2&per_page=50").status_code == 404
    cache.clear()
    assert listed(client.get(f"/depots/?{query}&per_page=50")) == expected


def test_the_form_of_every_filter_shows_the_filters_of_each_search(client):
    """The form is cached per set of filters, whatever the words searched."""
    RepositoryFactory(description="outil")
    selected = '<option value="only" selected>'

    assert selected in client.get("/depots/?q=outil&archived=only").content.decode()
    assert selected not in client.get("/depots/?q=outil").content.decode()
    assert selected in client.get("/depots/?q=autre&archived=only").content.decode()
    assert selected not in client.get("/depots/?q=autre").content.decode()


def test_bad_input_never_breaks_the_page(client):
    RepositoryFactory(description="x")
    huge = "<script>alert(1)</script>' OR 1=1 --" * 300

    response = client.get("/depots/", {"q": huge, "min_stars": "lots", "archived": "maybe"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert "Aucun dépôt ne correspond" in html


def test_search_on_any_database_ignores_accents_and_case(client):
    RepositoryFactory(name="outil-equipe", description="Gestion d’Équipe")
    RepositoryFactory(name="autre", description="rien à voir")
    update_search_vectors()  # search reads the stored vector

    assert listed(client.get("/depots/?q=équipe")) == [listed(client.get("/depots/?q=EQUIPE"))[0]]
    assert len(listed(client.get("/depots/?q=equipe"))) == 1


def test_repository_page_explains_its_score_and_links_out(client):
    body = PublicBodyFactory(name="Direction interministérielle du numérique")
    repository = RepositoryFactory(
        owner=OwnerFactory(path="dinum", public_body=body),
        name="app",
        topics=["santé"],
        languages={"Python": 750, "HTML": 250},
        score=65,
        score_checks=[{"code": "readme", "passed": True, "weight": 15, "label": "README présent"}],
        is_archived=True,
    )

    html = client.get("/depots/github.com/dinum/app/").content.decode()

    assert "<h1>app</h1>" in html
    assert "Ce dépôt est archivé" in html
    assert "Python — 75,0 %" in html
    assert "README présent" in html
    assert "Direction interministérielle du numérique" in html
    assert "https://spdx.org/licenses/MIT.html" in html
    # Not checked with Software Heritage yet: the page says so and offers to look.
    assert "L’archivage de ce dépôt n’a pas encore été vérifié." in html
    assert repository.software_heritage_url.replace("&", "&amp;") in html
    assert 'href="/depots/?topic=sant%C3%A9"' in html


def test_owner_pages(client):
    forge = ForgeFactory()
    big = OwnerFactory(
        forge=forge,
        path="big",
        name="Grande organisation",
        floss_policy="https://example.gouv.fr/politique",
    )
    small = OwnerFactory(forge=forge, path="small")
    RepositoryFactory.create_batch(3, owner=big, stars=2)
    RepositoryFactory(owner=small)
    OwnerFactory(forge=forge, path="empty")
    refresh_owner_counts()

    html = client.get("/organisations/").content.decode()
    assert html.index("/organisations/github.com/big/") < html.index(
        "/organisations/github.com/small/"
    )
    assert "/organisations/github.com/empty/" not in html
    assert "2 organisations" in html

    detail = client.get("/organisations/github.com/big/")
    assert result_count(detail) == 3
    assert "Politique logiciels libres" in detail.content.decode()
    assert client.get("/organisations/github.com/nobody/").status_code == 404


@pytest.mark.parametrize("sort", ["relevance", "stars", "name"])
def test_a_searchs_pages_keep_one_order_when_paths_tie_on_several_forges(client, sort):
    """The same path on three forges ties on every key of the sorts: whichever statement
    reads a page (the summary's, or the page's own query once the summary is cached), the
    pages follow one another without repeating or losing a repository."""
    for host in ("github.com", "gitlab.com", "framagit.org"):
        owner = OwnerFactory(forge=ForgeFactory(host=host), path="miroir")
        for i in range(15):
            RepositoryFactory(owner=owner, name=f"outil-{i}", stars=1, description="outil")
    update_search_vectors()
    every = {(r.forge.host, r.full_path) for r in Repository.objects.visible()}
    assert len(every) == 45

    def page(n):
        html = client.get(f"/depots/?q=outil&sort={sort}&page={n}").content.decode()
        return re.findall(r'<h3 class="fr-card__title">\s*<a href="/depots/([^/]+)/([^"]+)/"', html)

    computed = []
    for n in (1, 2, 3):
        cache.clear()  # the summary computed: this page's ids from its statement
        computed.append(page(n))
    read_apart = [page(n) for n in (1, 2, 3)]  # the summary cached: the page's own query

    assert computed == read_apart
    shown = [row for rows in computed for row in rows]
    assert len(shown) == len(set(shown)) == 45


@pytest.mark.parametrize(
    "url",
    [
        "/depots/",
        "/depots/?q=projet&language=Python",
        "/organisations/",
        "/organisations/github.com/org/",
        "/depots/github.com/org/depot-main/",
    ],
)
def test_query_count_does_not_grow_with_rows(
    client, django_assert_num_queries, url, warm_navigation_cache
):
    owner = OwnerFactory(path="org")
    RepositoryFactory(owner=owner, name="depot-main", description="projet", topics=["a"])

    def queries_for(rows):
        RepositoryFactory.create_batch(rows, owner=owner, description="projet", topics=["a", "b"])
        refresh_owner_counts()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries_for(5) == queries_for(10)


class TestPostgresSearch:
    def search(self, client, text):
        update_search_vectors()
        return listed(client.get("/depots/", {"q": text}))

    def test_accents_and_case(self, client):
        RepositoryFactory(name="planning", description="Gestion de l’Équipe")
        assert len(self.search(client, "equipe")) == 1

    def test_french_stemming(self, client):
        RepositoryFactory(name="catalogue", description="Un logiciel pour les mairies")
        assert len(self.search(client, "logiciels")) == 1

    def test_ranking_name_above_topics_above_description_above_owner(self, client):
        owner = OwnerFactory(path="cartographie-org")
        RepositoryFactory(owner=owner, name="zzz", description="rien")
        RepositoryFactory(name="aaa", description="outil de cartographie")
        RepositoryFactory(name="bbb", topics=["cartographie"], description="rien")
        RepositoryFactory(name="cartographie", description="rien")

        names = [path.rsplit("/", 1)[1] for path in self.search(client, "cartographie")]
        assert names == ["cartographie", "bbb", "aaa", "zzz"]

    def test_every_word_first_then_some_of_them(self, client):
        RepositoryFactory(name="dvf", description="Exploration des données DVF")
        RepositoryFactory(name="taxe-fonciere", description="Calcul de la taxe foncière")
        RepositoryFactory(name="cadastre", description="Données foncières du cadastre")
        RepositoryFactory(name="autre", description="rien à voir")

        both = self.search(client, "données foncières")
        assert [p.rsplit("/", 1)[1] for p in both] == ["cadastre"]
        # No repository has both words: those that have one of them, not nothing.
        some = self.search(client, "données impôt foncières dvf")
        assert some and {p.rsplit("/", 1)[1] for p in some} == {"dvf", "taxe-fonciere", "cadastre"}
        assert some[0].endswith("/dvf") or some[0].endswith("/cadastre")

    def test_typos_fall_back_to_similar_names(self, client):
        RepositoryFactory(name="openfisca-france", description="Simulateur")
        RepositoryFactory(name="autre-chose", description="rien")

        assert [p.rsplit("/", 1)[1] for p in self.search(client, "openfica")] == [
            "openfisca-france"
        ]


def test_a_cards_last_line_writes_the_day_and_counts_in_the_pages_language(client):
    # 23:30 UTC on 14 March is 15 March in Paris.
    RepositoryFactory(
        name="dated",
        stars=1234,
        updated_at=datetime(2024, 3, 14, 23, 30, tzinfo=UTC),
    )

    french = client.get("/depots/").content.decode()
    english = client.get("/en/depots/").content.decode()

    assert "1234 étoiles · mis à jour le 15/03/2024" in french
    assert "1234 stars · updated on 03/15/2024" in english
