import pytest
from django.core.cache import cache
from django.urls import reverse

from core.markdown import render_markdown
from editorial.guides import PLACEMENTS_CACHE_KEY
from editorial.models import GuidePage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLISHED = GuidePage.Status.PUBLISHED


def make_page(slug="publier", *, status=PUBLISHED, placement=GuidePage.Placement.NONE, **fields):
    fields.setdefault("title", slug.replace("-", " ").capitalize())
    fields.setdefault("body", "Du contenu.")
    return GuidePage.objects.create(slug=slug, status=status, placement=placement, **fields)


def test_markdown_headings_and_tables_render(client):
    make_page(
        "licences",
        title="Choisir une licence",
        body="## Les licences\n\n| Licence | Type |\n|---|:-:|\n| MIT | permissive |\n",
    )

    response = client.get("/guides/licences/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Choisir une licence</h1>" in body
    assert '<h2 id="les-licences">Les licences</h2>' in body
    assert "<table>" in body
    # Aligned by a DSFR class, not a style attribute (which the Content-Security-Policy refuses).
    assert '<td class="fr-cell--center">permissive</td>' in body
    assert "style=" not in body


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        '<iframe src="https://example.com"></iframe>',
        '<a href="https://example.com" onclick="alert(1)">x</a>',
        "<style>body{display:none}</style>",
    ],
)
def test_dangerous_markup_never_reaches_the_browser(client, markdown):
    make_page("piege", body=f"Avant\n\n{markdown}\n\nAprès")

    body = client.get("/guides/piege/").content.decode()
    article = body.split('codegouv-guide">')[1].split("</article>")[0]

    assert "Avant" in article and "Après" in article
    for forbidden in (
        "alert(1)",
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<iframe",
        "<style",
    ):
        assert forbidden not in article


def test_links_get_noopener_and_keep_their_title(client):
    make_page(
        "liens", body='[DINUM](https://www.numerique.gouv.fr "La DINUM") [écrire](mailto:a@b.fr)'
    )

    body = client.get("/guides/liens/").content.decode()

    assert (
        '<a href="https://www.numerique.gouv.fr" title="La DINUM" rel="noopener">DINUM</a>' in body
    )
    assert 'href="mailto:a@b.fr"' in body


def test_draft_is_hidden_from_the_public_even_with_the_preview_parameter(client):
    make_page("brouillon", status=GuidePage.Status.DRAFT)

    assert client.get("/guides/brouillon/").status_code == 404
    assert client.get("/guides/brouillon/?apercu=1").status_code == 404
    client.force_login(UserFactory())
    assert client.get("/guides/brouillon/?apercu=1").status_code == 404


def test_staff_previews_a_draft_with_a_notice(client):
    make_page("brouillon", title="Bientôt", status=GuidePage.Status.DRAFT)
    client.force_login(UserFactory(staff=True))

    assert client.get("/guides/brouillon/").status_code == 404
    response = client.get("/guides/brouillon/?apercu=1")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Aperçu : page non publiée" in body
    assert "Bientôt" in body
    assert '<meta name="robots" content="noindex">' in body


def test_published_page_shows_no_preview_notice(client):
    make_page("publiee")
    client.force_login(UserFactory(staff=True))

    body = client.get("/guides/publiee/?apercu=1").content.decode()

    assert "Aperçu : page non publiée" not in body


def test_list_shows_published_pages_only(client):
    make_page("visible", title="Page visible", summary="Un résumé.")
    make_page("cachee", title="Page cachée", status=GuidePage.Status.DRAFT)

    response = client.get("/guides/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Page visible" in body and "Un résumé." in body
    assert "Page cachée" not in body
    assert reverse("guides:detail", args=["visible"]) in body


def test_list_query_count_does_not_grow_with_pages(client, django_assert_num_queries):
    make_page("un")
    client.get("/guides/")  # warm the placement cache
    with django_assert_num_queries(1):
        client.get("/guides/")
    for index in range(5):
        make_page(f"page-{index}")
    cache.delete(PLACEMENTS_CACHE_KEY)
    client.get("/guides/")
    with django_assert_num_queries(1):
        client.get("/guides/")


def test_footer_and_navigation_link_the_placed_published_pages(client):
    make_page("publier", title="Publier", placement=GuidePage.Placement.FOOTER)
    make_page("aide", title="Aide", placement=GuidePage.Placement.NAVIGATION)
    make_page("futur", title="Futur", placement=GuidePage.Placement.FOOTER, status="draft")

    body = client.get("/").content.decode()

    footer = body.split('id="footer"')[1]
    assert '<a class="fr-footer__bottom-link" href="/guides/publier/">Publier</a>' in footer
    navigation = body.split('id="navigation"')[1].split("</nav>")[0]
    assert 'href="/guides/aide/">Aide</a>' in navigation
    assert "Futur" not in body


def test_navigation_marks_the_current_guide(client):
    make_page("aide", title="Aide", placement=GuidePage.Placement.NAVIGATION)

    body = client.get("/guides/aide/").content.decode()

    assert 'href="/guides/aide/" aria-current="page">Aide</a>' in body


def test_home_query_count_does_not_grow_with_guide_pages(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def home_queries():
        cache.delete(PLACEMENTS_CACHE_KEY)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    make_page("aide", placement=GuidePage.Placement.FOOTER)
    home_queries()  # the home page caches its own counters on the first visit
    first = home_queries()
    for index in range(6):
        make_page(f"pied-{index}", placement=GuidePage.Placement.FOOTER)
        make_page(f"menu-{index}", placement=GuidePage.Placement.NAVIGATION)

    assert home_queries() == first
    # Once cached, the placements cost no query at all.
    with django_assert_max_num_queries(first - 1):
        client.get("/")


def test_sitemap_lists_published_pages_only(client):
    make_page("visible")
    make_page("cachee", status=GuidePage.Status.DRAFT)

    assert "sitemap-guides.xml" in client.get("/sitemap.xml").content.decode()
    body = client.get("/sitemap-guides.xml").content.decode()

    assert "<loc>http://testserver/guides/visible/</loc>" in body
    assert "cachee" not in body


@pytest.fixture
def admin_client_staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_saving_a_page_refreshes_the_footer(admin_client_staff):
    client = admin_client_staff
    assert "Nous contacter" not in client.get("/").content.decode()

    response = client.post(
        reverse("admin:editorial_guidepage_add"),
        {
            "title": "Nous contacter",
            "slug": "contact",
            "summary": "",
            "body": "Écrivez-nous.",
            "status": "published",
            "placement": "footer",
            "order": "0",
        },
    )

    assert response.status_code == 302
    page = GuidePage.objects.get(slug="contact")
    assert page.published_at is not None
    assert 'href="/guides/contact/">Nous contacter</a>' in client.get("/").content.decode()

    client.post(reverse("admin:editorial_guidepage_delete", args=[page.pk]), {"post": "yes"})

    assert not GuidePage.objects.filter(slug="contact").exists()
    assert 'href="/guides/contact/"' not in client.get("/").content.decode()


def test_admin_change_form_previews_the_sanitised_body(admin_client_staff):
    page = make_page(
        "apercu", status=GuidePage.Status.DRAFT, body="## Titre\n\n<script>alert(1)</script>"
    )

    body = admin_client_staff.get(reverse("admin:editorial_guidepage_change", args=[page.pk]))
    html = body.content.decode()

    assert '<h2 id="titre">Titre</h2>' in html
    assert "<script>alert(1)</script>" not in html
    assert 'href="/guides/apercu/?apercu=1"' in html
    assert "Prévisualiser" in html


def test_admin_list_offers_a_preview_link(admin_client_staff):
    make_page("apercu")

    html = admin_client_staff.get(reverse("admin:editorial_guidepage_changelist")).content.decode()

    assert 'href="/guides/apercu/?apercu=1"' in html


def test_an_agents_markdown_stays_under_the_page_headings_without_images_or_anchors():
    html = render_markdown(
        "# Titre\n\n## Détail\n\n![pixel](https://tracker.example/p.png)\n\n<script>x</script>",
        from_user=True,
    )

    assert "<h3>Titre</h3>" in html
    assert "<h4>Détail</h4>" in html
    assert "<img" not in html
    assert "<script" not in html
    assert "id=" not in html
