from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from editorial.highlights import active_highlights
from editorial.models import Highlight
from sill.models import Software
from tests.factories import ContributionFactory, RepositoryFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
DAY = timedelta(days=1)


def make_highlight(title, *, start_at, end_at=None, order=0, **target):
    if not target:
        target = {"url": "https://example.org/contribution"}
    return Highlight.objects.create(
        title=title, start_at=start_at, end_at=end_at, order=order, **target
    )


def test_active_highlights_respect_their_period_and_order():
    make_highlight("à venir", start_at=NOW + DAY)
    make_highlight("terminée", start_at=NOW - 2 * DAY, end_at=NOW - DAY)
    make_highlight("finit à l’instant", start_at=NOW - DAY, end_at=NOW)
    make_highlight("sans fin", start_at=NOW - DAY, order=2)
    make_highlight("en cours", start_at=NOW - DAY, end_at=NOW + DAY, order=1)
    make_highlight("commence à l’instant", start_at=NOW, order=1)

    titles = [highlight.title for highlight in active_highlights(now=NOW)]

    assert titles == ["en cours", "commence à l’instant", "sans fin"]


def test_active_highlights_fetch_their_targets_in_one_query(django_assert_num_queries):
    for index in range(3):
        repository = RepositoryFactory()
        software = Software.objects.create(name=f"Logiciel {index}", slug=f"logiciel-{index}")
        make_highlight(f"dépôt {index}", start_at=NOW - DAY, repository=repository)
        make_highlight(f"logiciel {index}", start_at=NOW - DAY, software=software)

    with django_assert_num_queries(1):
        highlights = active_highlights()
        urls = [highlight.target_url for highlight in highlights]

    assert len(urls) == 6
    assert "/sill/logiciel-0/" in urls
    assert any(url.startswith("/depots/github.com/organisation-") for url in urls)


@pytest.mark.parametrize("targets", ["none", "two"])
def test_the_database_requires_exactly_one_target(targets):
    fields = {}
    if targets == "two":
        fields = {"repository": RepositoryFactory(), "url": "https://example.org/"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Highlight.objects.create(title="Sans cible claire", start_at=NOW, **fields)


def test_clean_explains_the_target_rule():
    from django.core.exceptions import ValidationError

    software = Software.objects.create(name="LibreOffice", slug="libreoffice")
    highlight = Highlight(title="Deux cibles", start_at=NOW, software=software, url="https://a.fr/")

    with pytest.raises(ValidationError) as error:
        highlight.full_clean()

    assert error.value.message_dict == {
        "repository": [
            "Une seule cible à la fois : un dépôt, un logiciel du SILL, une contribution "
            "ou une adresse web."
        ]
    }


def test_component_renders_a_dsfr_card():
    software = Software.objects.create(name="LibreOffice", slug="libreoffice")
    highlight = make_highlight(
        "LibreOffice 25",
        start_at=NOW,
        software=software,
    )
    highlight.text = "La nouvelle version."
    highlight.image_url = "https://example.org/image.png"

    html = render_to_string("components/highlight.html", {"highlight": highlight})

    assert 'class="fr-card fr-enlarge-link"' in html
    assert '<a href="/sill/libreoffice/">LibreOffice 25</a>' in html
    assert "La nouvelle version." in html
    assert "Logiciel du SILL" in html
    assert '<img class="fr-responsive-img" src="https://example.org/image.png" alt="">' in html


def test_component_links_any_other_page_outside():
    highlight = make_highlight("Rencontre Matrix", start_at=NOW, url="https://github.com/x/y")

    html = render_to_string("components/highlight.html", {"highlight": highlight})

    assert 'href="https://github.com/x/y" rel="noopener"' in html
    assert "À découvrir" in html
    assert "<img" not in html


def test_component_links_a_declared_contribution_to_its_page():
    contribution = ContributionFactory(project_name="Matrix")
    highlight = make_highlight("Contribution à Matrix", start_at=NOW, contribution=contribution)

    html = render_to_string("components/highlight.html", {"highlight": highlight})

    assert f'href="/contributions/{contribution.pk}/"' in html
    assert "Contribution" in html


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_form(**overrides):
    start = timezone.localtime(NOW)
    data = {
        "title": "Un dépôt à découvrir",
        "text": "",
        "image_url": "",
        "repository": "",
        "software": "",
        "url": "",
        "order": "0",
        "start_at_0": start.strftime("%d/%m/%Y"),
        "start_at_1": start.strftime("%H:%M:%S"),
        "end_at_0": "",
        "end_at_1": "",
    }
    return {**data, **overrides}


def test_admin_add_form_offers_autocomplete_for_targets(admin_client):
    html = admin_client.get(reverse("admin:editorial_highlight_add")).content.decode()

    assert "admin-autocomplete" in html
    assert 'name="repository"' in html and 'name="software"' in html


def test_admin_adds_a_highlight(admin_client):
    repository = RepositoryFactory()

    response = admin_client.post(
        reverse("admin:editorial_highlight_add"), admin_form(repository=str(repository.pk))
    )

    assert response.status_code == 302
    highlight = Highlight.objects.get()
    assert highlight.repository == repository
    assert [h.pk for h in active_highlights()] == [highlight.pk]


@pytest.mark.parametrize("targets", ["none", "two"])
def test_admin_rejects_zero_or_two_targets_with_one_message(admin_client, targets):
    fields = {}
    if targets == "two":
        fields = {"repository": str(RepositoryFactory().pk), "url": "https://example.org/"}

    response = admin_client.post(reverse("admin:editorial_highlight_add"), admin_form(**fields))

    assert response.status_code == 200
    assert not Highlight.objects.exists()
    html = response.content.decode()
    assert html.count("un logiciel du SILL, une contribution ou une adresse web.") == 1


def test_admin_list_filters_by_period(admin_client):
    make_highlight("Actuelle", start_at=NOW - DAY)
    make_highlight("Prochaine", start_at=NOW + DAY)
    make_highlight("Ancienne", start_at=NOW - 2 * DAY, end_at=NOW - DAY)
    url = reverse("admin:editorial_highlight_changelist")

    for period, title in [("active", "Actuelle"), ("upcoming", "Prochaine"), ("past", "Ancienne")]:
        html = admin_client.get(url, {"periode": period}).content.decode()
        shown = {t for t in ("Actuelle", "Prochaine", "Ancienne") if f">{t}</a>" in html}
        assert shown == {title}


def test_a_highlight_of_something_unpublished_is_not_shown():
    pending = ContributionFactory(pending=True, project_name="En attente")
    hidden = Software.objects.create(name="Masqué", slug="masque", moderation_status="hidden")
    make_highlight("Contribution en attente", start_at=NOW - DAY, contribution=pending)
    make_highlight("Logiciel masqué", start_at=NOW - DAY, software=hidden)
    make_highlight("Visible", start_at=NOW - DAY)

    assert [h.title for h in active_highlights(now=NOW)] == ["Visible"]
