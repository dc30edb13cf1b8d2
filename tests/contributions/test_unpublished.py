"""The inventory of code not yet published, for public agents."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from contributions.models import UnpublishedCode
from contributions.services import mark_published
from tests.factories import (
    PublicBodyFactory,
    RepositoryFactory,
    UnpublishedCodeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INDEX = "/depots/a-publier/"
DECLARE = "/depots/a-publier/declarer/"


@pytest.fixture
def body():
    return PublicBodyFactory(name="Préfecture du Nord")


@pytest.fixture
def agent(body):
    return UserFactory(public_body=body, email="camille@interieur.gouv.fr")


def form_data(**overrides):
    data = {
        "submission_token": str(uuid.uuid4()),
        "name": "Gestion des cartes grises",
        "description": "Un outil de suivi des dossiers.",
        "technologies": "Python, Django , ,PostgreSQL, python",
        "reason": "Des identifiants sont encore dans l’historique.",
        "contact": "dsi@interieur.gouv.fr",
        "planned_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


def test_agents_see_published_entries_and_their_own_pending_ones(client, agent):
    UnpublishedCodeFactory(name="Publié par un collègue")
    UnpublishedCodeFactory(pending=True, name="En attente d’un collègue")
    UnpublishedCodeFactory(pending=True, name="Mon brouillon", author=agent)
    client.force_login(agent)

    content = client.get(INDEX).content.decode()

    assert "Publié par un collègue" in content and "Mon brouillon" in content
    assert "En attente d’un collègue" not in content
    assert 'href="/depots/a-publier/declarer/"' in content


def test_the_inventory_is_for_public_agents_only(client):
    UnpublishedCodeFactory(name="Interne")

    anonymous = client.get(INDEX)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/compte/connexion/")
    client.force_login(UserFactory(outsider=True))
    outsider = client.get(INDEX)
    assert outsider.status_code == 403
    assert "Réservé aux agents publics" in outsider.content.decode()
    assert "Interne" not in outsider.content.decode()


def test_an_agent_declares_code_to_publish(client, agent, body):
    client.force_login(agent)
    page = client.get(DECLARE).content.decode()
    assert 'value="camille@interieur.gouv.fr"' in page
    assert f'<option value="{body.pk}" selected>' in page

    response = client.post(DECLARE, form_data(public_body=body.pk), follow=True)

    code = UnpublishedCode.objects.get()
    assert code.technologies == ["Python", "Django", "PostgreSQL"]
    assert code.is_pending and code.author == agent and code.public_body == body
    content = response.content.decode()
    assert "Gestion des cartes grises" in content and "en attente de modération" in content


def test_a_double_submission_creates_one_entry(client, agent, body):
    client.force_login(agent)
    data = form_data(public_body=body.pk)

    client.post(DECLARE, data)
    client.post(DECLARE, data)

    assert UnpublishedCode.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "technologies",
            ", ".join(f"tech{i}" for i in range(21)),
            "Indiquez 20 technologies au plus",
        ),
        ("technologies", "x" * 51, "dépasse 50 caractères"),
        ("description", "x" * 5001, "au plus 5000 caractères"),
        ("description", "", "Ce champ est obligatoire."),
        ("contact", "pas une adresse", "Saisissez une adresse électronique valide"),
        ("planned_on", "2020-01-01", "La date de publication prévue ne peut pas être passée."),
        ("name", "x" * 201, "au plus 200 caractères"),
    ],
)
def test_bad_input_is_refused(client, agent, body, field, value, message):
    client.force_login(agent)

    response = client.post(DECLARE, form_data(public_body=body.pk, **{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not UnpublishedCode.objects.exists()


def test_anonymous_and_outsiders_cannot_declare(client, body):
    assert client.post(DECLARE, form_data(public_body=body.pk)).status_code == 302
    client.force_login(UserFactory(outsider=True))
    assert client.post(DECLARE, form_data(public_body=body.pk)).status_code == 403
    assert not UnpublishedCode.objects.exists()


def test_the_author_edits_and_deletes_their_entry(client, agent, body):
    code = UnpublishedCodeFactory(author=agent, planned_on=timezone.localdate() - timedelta(days=3))
    client.force_login(agent)

    # A planned date now past may stay as it was.
    edited = client.post(
        f"/depots/a-publier/{code.pk}/modifier/",
        form_data(name="Renommé", public_body=body.pk, planned_on=code.planned_on.isoformat()),
    )
    assert edited.status_code == 302
    code.refresh_from_db()
    assert code.name == "Renommé" and code.technologies == ["Python", "Django", "PostgreSQL"]

    confirmation = client.get(f"/depots/a-publier/{code.pk}/supprimer/")
    assert "Voulez-vous vraiment retirer « Renommé »" in confirmation.content.decode()
    client.post(f"/depots/a-publier/{code.pk}/supprimer/")
    assert not UnpublishedCode.objects.exists()


def test_another_agents_entry_gives_404_and_stays(client, agent, body):
    code = UnpublishedCodeFactory(name="Pas à moi")
    client.force_login(agent)

    for url in (
        f"/depots/a-publier/{code.pk}/modifier/",
        f"/depots/a-publier/{code.pk}/supprimer/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, form_data(public_body=body.pk)).status_code == 404
    code.refresh_from_db()
    assert code.name == "Pas à moi"
    # No edit link on somebody else's entry.
    assert f"/depots/a-publier/{code.pk}/modifier/" not in client.get(INDEX).content.decode()


def test_search_and_filters(client, agent):
    other_body = PublicBodyFactory(name="Région Bretagne")
    UnpublishedCodeFactory(name="Planificateur", technologies=["Rust"], public_body=other_body)
    UnpublishedCodeFactory(name="Annuaire", technologies=["PHP", "Symfony"], description="Éditeur")
    client.force_login(agent)

    def names(query):
        content = client.get(INDEX + query).content.decode()
        return [n for n in ("Planificateur", "Annuaire") if f">{n}</h3>" in content]

    assert names("?technology=Rust") == ["Planificateur"]
    assert names(f"?public_body={other_body.pk}") == ["Planificateur"]
    assert names("?q=editeur") == ["Annuaire"]
    assert names("?q=bretagne") == ["Planificateur"]
    assert names("?q=symfony") == ["Annuaire"]
    page = client.get(INDEX).content.decode()
    assert 'href="?technology=Rust"' in page


def test_an_editor_marks_an_entry_published_with_its_repository(client, agent):
    code = UnpublishedCodeFactory(name="Enfin publié")
    repository = RepositoryFactory()
    editor = UserFactory(staff=True)

    mark_published(code, repository=repository, by=editor)

    code.refresh_from_db()
    assert code.published_repository == repository and code.published_at is not None
    client.force_login(agent)
    content = client.get(INDEX).content.decode()
    assert "publié" in content
    assert f'href="/depots/{repository.forge.host}/{repository.full_path}/"' in content


def test_query_count_does_not_grow(client, agent, django_assert_num_queries, warm_navigation_cache):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    repository = RepositoryFactory()
    client.force_login(agent)

    def add(rows):
        for _i in range(rows):
            UnpublishedCodeFactory(published_repository=repository)
            UnpublishedCodeFactory(author=agent, pending=True)

    add(3)
    with CaptureQueriesContext(connection) as context:
        client.get(INDEX)
    add(3)
    with django_assert_num_queries(len(context.captured_queries)):
        client.get(INDEX)
