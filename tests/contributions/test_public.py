"""What everybody sees: the listing, its exports and feed, a contribution, a project, a body."""

import csv
import io
import json
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contributions.models import Contribution
from tests.factories import (
    ContributionFactory,
    PublicBodyFactory,
    RepositoryFactory,
    SoftwareFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def titles(response):
    return re.findall(
        r'<h3 class="fr-card__title"><a href="/contributions/\d+/">([^<]+)</a>',
        response.content.decode(),
    )


def result_count(response):
    return int(re.search(r'id="result-count">\s*(\d+)', response.content.decode()).group(1))


def export_rows(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def pending():
    return ContributionFactory(pending=True, project_name="Secret en attente")


def test_the_listing_shows_published_contributions_and_invites_agents(client, pending):
    ContributionFactory(project_name="Nextcloud", kind="translation")

    response = client.get("/contributions/")

    assert titles(response) == ["Nextcloud : traduction"]
    content = response.content.decode()
    assert 'href="/contributions/declarer/"' in content
    assert "Secret en attente" not in content


def test_pending_contributions_stay_out_of_every_public_page(client, pending):
    published = ContributionFactory(
        public_body=pending.public_body, project_url=pending.project_url, project_name="Visible"
    )
    pages = [
        "/contributions/",
        "/contributions/flux.atom",
        f"/contributions/projets/{published.project_key}/",
        f"/contributions/organismes/{pending.public_body.slug}/",
        "/sitemap-contributions.xml",
    ]
    for url in pages:
        content = client.get(url).content.decode()
        assert "Visible" in content or f"/contributions/{published.pk}/" in content, url
        assert "Secret en attente" not in content and f"/contributions/{pending.pk}/" not in content
    exported = export_rows(client.get("/contributions/?format=csv"))
    assert [row["project_name"] for row in exported] == ["Visible"]
    assert [
        row["project_name"]
        for row in json.loads(b"".join(client.get("/contributions/?format=json").streaming_content))
    ] == ["Visible"]
    assert client.get(f"/contributions/{pending.pk}/").status_code == 404

    pending.moderation_status = "published"
    pending.save()

    assert "Secret en attente" in client.get("/contributions/").content.decode()
    assert client.get(f"/contributions/{pending.pk}/").status_code == 200


def test_a_pending_contribution_is_shown_to_its_author_and_to_moderators(client, pending):
    from django.contrib.auth.models import Permission

    client.force_login(pending.author)
    page = client.get(f"/contributions/{pending.pk}/").content.decode()
    assert (
        "en attente de modération" in page
        and f'href="/contributions/{pending.pk}/modifier/"' in page
    )

    client.force_login(UserFactory())
    assert client.get(f"/contributions/{pending.pk}/").status_code == 404

    moderator = UserFactory()
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_declarations"))
    client.force_login(moderator)
    assert client.get(f"/contributions/{pending.pk}/").status_code == 200


@pytest.mark.parametrize("shown", [True, False])
def test_the_authors_name_is_shown_only_when_they_chose_it(client, shown):
    author = UserFactory(first_name="Camille", last_name="Durand", show_name=shown)
    contribution = ContributionFactory(author=author)

    pages = [
        client.get("/contributions/").content.decode(),
        client.get(f"/contributions/{contribution.pk}/").content.decode(),
        b"".join(client.get("/contributions/?format=csv").streaming_content).decode(),
        client.get("/contributions/flux.atom").content.decode(),
    ]

    for content in pages:
        assert ("Camille Durand" in content) is shown
        assert author.email not in content
        assert contribution.public_body.name in content


def test_the_detail_page_renders_sanitised_markdown(client):
    contribution = ContributionFactory(
        description=(
            "Ajout d’une *traduction*.\n\n<script>alert(1)</script> [lien](javascript:alert(1))"
        ),
        evidence_urls=["https://github.com/upstream/projet/pull/7"],
    )

    content = client.get(f"/contributions/{contribution.pk}/").content.decode()

    assert "<em>traduction</em>" in content
    assert "<script>alert(1)" not in content and "javascript:alert" not in content
    assert 'href="https://github.com/upstream/projet/pull/7"' in content


def test_search_is_accent_and_case_insensitive(client):
    body = PublicBodyFactory(name="Ministère de l’Éducation nationale")
    ContributionFactory(public_body=body, project_name="Moodle")
    ContributionFactory(project_name="Écritures", description="Relecture")
    ContributionFactory(project_name="Autre")

    assert titles(client.get("/contributions/?q=education")) == ["Moodle : code"]
    assert titles(client.get("/contributions/?q=ECRITURE")) == ["Écritures : code"]
    assert titles(client.get("/contributions/?q=relecture")) == ["Écritures : code"]


def test_filters_have_counts_and_combine(client):
    body = PublicBodyFactory(name="Université de Lyon")
    ContributionFactory(public_body=body, kind="code", started_on=date(2023, 5, 1))
    ContributionFactory(public_body=body, kind="documentation", started_on=date(2024, 5, 1))
    ContributionFactory(kind="code", started_on=date(2024, 1, 1))

    page = client.get("/contributions/").content.decode()
    assert re.search(r"Université de Lyon <span class=\"fr-badge fr-badge--sm\">2</span>", page)
    assert re.search(r"2024 <span class=\"fr-badge fr-badge--sm\">2</span>", page)

    filtered = client.get(f"/contributions/?public_body={body.pk}&kind=code")
    assert result_count(filtered) == 1
    content = filtered.content.decode()
    assert "Organisme public : Université de Lyon" in content and "Nature : code" in content
    assert result_count(client.get("/contributions/?year=2024")) == 2
    # A hand-edited URL still gives a listing.
    assert result_count(client.get("/contributions/?year=abc&kind=nope")) == 3


def test_sorts(client):
    ContributionFactory(project_name="Bravo", started_on=date(2022, 1, 1))
    ContributionFactory(project_name="Alpha", started_on=date(2024, 1, 1))
    ContributionFactory(project_name="Charlie", started_on=date(2023, 1, 1))

    def names(sort):
        return [t.split(" : ")[0] for t in titles(client.get(f"/contributions/?sort={sort}"))]

    assert names("recent") == ["Alpha", "Charlie", "Bravo"]
    assert names("oldest") == ["Bravo", "Charlie", "Alpha"]
    assert names("project") == ["Alpha", "Bravo", "Charlie"]


def test_the_export_has_as_many_rows_as_the_count_shown(client):
    body = PublicBodyFactory()
    ContributionFactory.create_batch(3, public_body=body)
    ContributionFactory.create_batch(2)
    ContributionFactory(pending=True, public_body=body)

    shown = result_count(client.get(f"/contributions/?public_body={body.pk}"))
    rows = export_rows(client.get(f"/contributions/?public_body={body.pk}&format=csv"))

    assert shown == len(rows) == 3
    assert rows[0]["page"].startswith("http://testserver/contributions/")
    assert rows[0]["evidence_urls"].startswith("https://github.com/upstream/")


def test_pagination(client):
    ContributionFactory.create_batch(25)

    assert len(titles(client.get("/contributions/"))) == 20
    assert len(titles(client.get("/contributions/?page=2"))) == 5
    assert client.get("/contributions/?page=9").status_code == 404


def test_the_feed_lists_published_contributions(client):
    ContributionFactory(project_name="Publié")

    response = client.get("/contributions/flux.atom")

    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Publié : code" in response.content.decode()


def test_the_project_page_groups_every_spelling_of_its_address(client):
    repository = RepositoryFactory(web_url="https://github.com/upstream/outil")
    software = SoftwareFactory(name="Outil")
    first_body, second_body = PublicBodyFactory(name="Mairie de Lille"), PublicBodyFactory()
    ContributionFactory(
        project_url="https://github.com/upstream/outil",
        repository=repository,
        software=software,
        public_body=first_body,
    )
    ContributionFactory(
        project_url="https://GitHub.com/Upstream/Outil.git/", kind="funding", public_body=first_body
    )
    ContributionFactory(project_url="http://github.com/upstream/outil/", public_body=second_body)
    ContributionFactory(project_url="https://github.com/upstream/outil-2")

    response = client.get("/contributions/projets/github.com/upstream/outil/")

    assert response.status_code == 200
    assert len(titles(response)) == 3
    content = response.content.decode()
    assert f'href="/depots/github.com/{repository.full_path}/"' in content
    assert f'href="/sill/{software.slug}/"' in content
    assert (
        f'href="/contributions/organismes/{first_body.slug}/">Mairie de Lille</a> : 2 contributions'
        in content
    )
    assert "<td>financement</td><td>1</td>" in content
    assert client.get("/contributions/projets/github.com/nobody/none/").status_code == 404


def test_the_public_body_page_shows_what_it_gave_back(client):
    body = PublicBodyFactory(name="Agence du numérique")
    ContributionFactory(public_body=body, project_name="Alpha", started_on=date(2023, 2, 1))
    ContributionFactory(
        public_body=body,
        project_name="Alpha",
        project_url="https://alpha.example.org",
        kind="event",
        started_on=date(2024, 2, 1),
    )
    ContributionFactory(project_name="Autre organisme")

    response = client.get(f"/contributions/organismes/{body.slug}/")

    content = response.content.decode()
    assert "Contributions de Agence du numérique" in content
    assert len(titles(response)) == 2 and "Autre organisme" not in content
    assert "<td>2023</td><td>1</td>" in content and "<td>2024</td><td>1</td>" in content
    assert "<td>événement</td><td>1</td>" in content
    assert 'href="/contributions/projets/alpha.example.org/"' in content
    empty = PublicBodyFactory()
    assert client.get(f"/contributions/organismes/{empty.slug}/").status_code == 200
    assert client.get("/contributions/organismes/999999/").status_code == 404


def test_project_keys_agree_between_python_and_the_database():
    from contributions.models import project_key

    urls = [
        "https://GitHub.com/Org/Repo.git/",
        "http://gitlab.example.fr/groupe/sous-groupe/projet//",
        "https://exemple.fr",
        "https://exemple.fr/a.git.git",
        "https://exemple.fr/chemin?x=1",
    ]
    for url in urls:
        contribution = ContributionFactory(project_url=url)
        assert Contribution.objects.get(pk=contribution.pk).project_key == project_key(url)


@pytest.mark.parametrize("page", ["index", "project", "public_body"])
def test_query_count_does_not_grow(client, django_assert_num_queries, page, warm_navigation_cache):
    body = PublicBodyFactory()
    software = SoftwareFactory()
    repository = RepositoryFactory()
    url = {
        "index": "/contributions/",
        "project": "/contributions/projets/github.com/upstream/commun/",
        "public_body": f"/contributions/organismes/{body.slug}/",
    }[page]

    def add(rows):
        for _i in range(rows):
            ContributionFactory(
                public_body=body,
                project_url="https://github.com/upstream/commun",
                author=UserFactory(show_name=True),
                repository=repository,
                software=software,
                evidence_urls=["https://github.com/upstream/commun/pull/1"] * 6,
            )
            ContributionFactory(author=None, public_body=body, kind="event")

    add(3)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    add(3)
    with django_assert_num_queries(len(context.captured_queries)):
        assert client.get(url).status_code == 200
