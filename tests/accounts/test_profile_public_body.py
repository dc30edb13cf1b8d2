"""An agent sets their public body from their profile: a search on the server (no JavaScript
needed) among the named bodies, at most twenty offered at once, or the name of a body that is
not in the list."""

import itertools
import re

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.factories import PublicBodyFactory, UserFactory

pytestmark = pytest.mark.django_db

EDIT = "/compte/modifier/"


@pytest.fixture
def ministry():
    return PublicBodyFactory(name="Ministère de la Culture", acronym="MC", is_ministry=True)


@pytest.fixture
def bodies(ministry):
    """A few named bodies, and one nobody named (its acronym would match a search)."""
    return {
        "bnf": PublicBodyFactory(
            name="Bibliothèque nationale de France", acronym="BnF", ministry=ministry
        ),
        "cmn": PublicBodyFactory(
            name="Centre des monuments nationaux", acronym="CMN", ministry=ministry
        ),
        "dinum": PublicBodyFactory(
            name="Direction interministérielle du numérique", acronym="DINUM"
        ),
        "nameless": PublicBodyFactory(name="", acronym="BNFX", pso_id="pso-secret-id"),
    }


@pytest.fixture
def agent(client):
    user = UserFactory(
        email="camille.martin@culture.gouv.fr",
        first_name="Camille",
        last_name="Martin",
        public_body=None,
    )
    client.force_login(user)
    return user


def text(response):
    return response.content.decode()


def search(client, query, **typed):
    """The profile form sent with "Rechercher"."""
    return client.post(EDIT, {"public_body_query": query, "search_public_body": "1", **typed})


def offered(response) -> list[str]:
    """The labels of the radio buttons offered, in order (their hints aside)."""
    html = text(response)
    labels = re.findall(
        r'<input type="radio" name="public_body"[^>]*>\s*<label class="fr-label"\s+for="[^"]+">'
        r"\s*([^<]+?)\s*<",
        html,
    )
    return labels


def test_the_search_finds_a_body_by_part_of_its_name_whatever_the_accents_and_case(
    client, agent, bodies
):
    for query in ("nationale", "BIBLIOTHEQUE", "bibliothèque  nationale", "France nationale"):
        assert offered(search(client, query))[0] == "Bibliothèque nationale de France (BnF)"

    response = search(client, "nationa")

    assert offered(response) == [
        "Bibliothèque nationale de France (BnF)",
        "Centre des monuments nationaux (CMN)",
        "Mon organisme n’est pas dans la liste",
    ]
    html = text(response)
    assert "2 organismes trouvés pour « nationa »." in html
    assert "Ministère : Ministère de la Culture" in html  # its ministry, as a hint
    assert "<select" not in html
    # By name, accents aside.
    PublicBodyFactory(name="École nationale des chartes")
    assert offered(search(client, "nationa"))[:3] == [
        "Bibliothèque nationale de France (BnF)",
        "Centre des monuments nationaux (CMN)",
        "École nationale des chartes",
    ]


def test_the_search_finds_a_body_by_its_acronym_first(client, agent, bodies):
    assert (
        offered(search(client, "dinum"))[0] == "Direction interministérielle du numérique (DINUM)"
    )
    # "cmn" is the CMN's acronym: it comes before any name that merely contains it.
    PublicBodyFactory(name="Agence CMNA des archives")
    assert offered(search(client, "CMN"))[:2] == [
        "Centre des monuments nationaux (CMN)",
        "Agence CMNA des archives",
    ]


def test_a_body_without_a_name_is_never_offered_nor_its_identifier_shown(client, agent, bodies):
    response = search(client, "bnf")

    assert offered(response) == [
        "Bibliothèque nationale de France (BnF)",
        "Mon organisme n’est pas dans la liste",
    ]
    html = text(response)
    assert "BNFX" not in html and "pso-secret-id" not in html
    assert "Organisme non identifié" not in html


def test_choosing_a_body_from_the_results_saves_it(client, agent, bodies):
    page = search(client, "monuments", first_name="Zoé")
    # Nothing is saved by a search, and what was typed is still there.
    assert 'name="first_name" value="Zoé"' in text(page)
    assert 'name="public_body_query" value="monuments"' in text(page)
    agent.refresh_from_db()
    assert (agent.first_name, agent.public_body) == ("Camille", None)

    response = client.post(
        EDIT,
        {"first_name": "Zoé", "public_body": bodies["cmn"].pk, "public_body_query": "monuments"},
        follow=True,
    )

    assert "Votre profil est enregistré." in text(response)
    assert "Centre des monuments nationaux" in text(response)
    agent.refresh_from_db()
    assert (agent.first_name, agent.public_body, agent.public_body_unlisted) == (
        "Zoé",
        bodies["cmn"],
        "",
    )
    page = text(client.get(EDIT))
    assert "Organisme actuel : <strong>Centre des monuments nationaux</strong>" in page


def test_the_current_body_stays_checked_beside_the_results_and_is_kept(client, agent, bodies):
    agent.public_body = bodies["dinum"]
    agent.save()

    response = search(client, "nationale", public_body=bodies["dinum"].pk)

    assert offered(response)[:2] == [
        "Direction interministérielle du numérique (DINUM)",
        "Bibliothèque nationale de France (BnF)",
    ]
    assert re.search(rf'value="{bodies["dinum"].pk}"[^>]* checked', text(response))
    assert "Organisme actuel" in text(response)
    client.post(EDIT, {"first_name": "Camille", "public_body": bodies["dinum"].pk})
    agent.refresh_from_db()
    assert agent.public_body == bodies["dinum"]


@pytest.mark.parametrize(
    "forged", ["nameless", "999999", "99999999999999999999999", "-1", "abc", "1 OR 1=1"]
)
def test_a_forged_body_is_refused_and_nothing_is_saved(client, agent, bodies, forged):
    value = bodies["nameless"].pk if forged == "nameless" else forged

    response = client.post(EDIT, {"first_name": "Zoé", "public_body": value})

    assert response.status_code == 200
    assert "Sélectionnez un choix valide." in text(response)
    assert 'id="id_public_body-desc-error"' in text(response)
    agent.refresh_from_db()
    assert (agent.first_name, agent.public_body) == ("Camille", None)


def test_at_most_twenty_bodies_are_offered_and_the_agent_is_asked_to_narrow(client, agent):
    PublicBodyFactory.create_batch(
        25, name=factory.Sequence(lambda n: f"Commune de Saint-Martin {n:03}")
    )

    response = search(client, "saint-martin")

    names = offered(response)
    assert len(names) == 21 and names[-1] == "Mon organisme n’est pas dans la liste"
    assert "Les 20 premiers organismes trouvés pour « saint-martin »" in text(response)
    assert "précisez votre recherche" in text(response)


def test_a_search_that_finds_nothing_or_is_too_short_says_so(client, agent, bodies):
    assert "Aucun organisme trouvé pour « mairie de trifouilly »" in text(
        search(client, "mairie de trifouilly")
    )
    assert "Saisissez au moins deux lettres" in text(search(client, "b"))
    assert offered(search(client, "")) == ["Mon organisme n’est pas dans la liste"]


def test_the_search_text_is_escaped(client, agent, bodies):
    html = text(search(client, '<script>alert("x")</script>'))

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_body_named_by_the_proconnect_siret_is_suggested_and_preselected(client, bodies):
    bodies["dinum"].siren = "130025265"
    bodies["dinum"].save()
    user = UserFactory(public_body=None, siret="13002526500013")
    client.force_login(user)

    page = text(client.get(EDIT))

    assert "Suggéré d’après votre SIRET (ProConnect)" in page
    assert re.search(rf'value="{bodies["dinum"].pk}"[^>]* checked', page)
    client.post(EDIT, {"first_name": "Camille", "public_body": bodies["dinum"].pk})
    user.refresh_from_db()
    assert user.public_body == bodies["dinum"]
    assert "Suggéré d’après votre SIRET" not in text(client.get(EDIT))


def test_a_siret_naming_a_body_without_a_name_suggests_nothing(client, bodies):
    bodies["nameless"].siren = "130025265"
    bodies["nameless"].save()
    client.force_login(UserFactory(public_body=None, siret="13002526500013"))

    page = text(client.get(EDIT))

    assert "Suggéré d’après votre SIRET" not in page and "BNFX" not in page


def test_an_agent_whose_body_is_not_listed_types_its_name(client, agent, bodies):
    response = client.post(
        EDIT,
        {
            "first_name": "Camille",
            "public_body": "autre",
            "public_body_unlisted": "  Mairie de\tTrifouilly-les-Oies\x00 ",
        },
        follow=True,
    )

    assert "Votre profil est enregistré." in text(response)
    assert "Mairie de Trifouilly-les-Oies (absent de la liste" in text(response)
    agent.refresh_from_db()
    assert (agent.public_body, agent.public_body_unlisted) == (
        None,
        "Mairie de Trifouilly-les-Oies",
    )
    page = text(client.get(EDIT))
    assert "Organisme actuel : <strong>Mairie de Trifouilly-les-Oies</strong>" in page
    assert re.search(r'value="autre"[^>]* checked', page)

    # Found later in the list: choosing it forgets the typed name.
    client.post(
        EDIT,
        {
            "public_body": bodies["cmn"].pk,
            "public_body_unlisted": "Mairie de Trifouilly-les-Oies",
        },
    )
    agent.refresh_from_db()
    assert (agent.public_body, agent.public_body_unlisted) == (bodies["cmn"], "")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"public_body": "autre"}, "Indiquez le nom de votre organisme public."),
        ({"public_body": "autre", "public_body_unlisted": "x" * 301}, "au plus 300 caractères"),
        ({"public_body": "BODY", "public_body_unlisted": "Mairie"}, "videz ce champ"),
    ],
)
def test_an_unlisted_name_is_required_alone_and_bounded(client, agent, bodies, values, message):
    if values["public_body"] == "BODY":
        values["public_body"] = bodies["cmn"].pk

    response = client.post(EDIT, {"first_name": "Zoé", **values})

    assert response.status_code == 200 and message in text(response)
    assert 'id="id_public_body_unlisted-desc-error"' in text(response)
    agent.refresh_from_db()
    assert (agent.first_name, agent.public_body, agent.public_body_unlisted) == (
        "Camille",
        None,
        "",
    )


def test_a_typed_name_without_a_choice_is_taken_as_not_listed(client, agent):
    client.post(EDIT, {"public_body_unlisted": "Syndicat des eaux du Val"})

    agent.refresh_from_db()
    assert agent.public_body_unlisted == "Syndicat des eaux du Val"


def test_sending_no_choice_keeps_the_current_body(client, agent, bodies):
    User.objects.filter(pk=agent.pk).update(public_body=bodies["bnf"])

    client.post(EDIT, {"first_name": "Zoé"})

    agent.refresh_from_db()
    assert (agent.first_name, agent.public_body) == ("Zoé", bodies["bnf"])


def test_the_search_query_count_does_not_grow_with_the_bodies_found(
    client, agent, ministry, warm_navigation_cache
):
    numbers = itertools.count()

    def queries_for(rows):
        for _ in range(rows):
            PublicBodyFactory(name=f"Musée numéro {next(numbers)}", ministry=ministry)
        with CaptureQueriesContext(connection) as captured:
            assert search(client, "musée").status_code == 200
        return len(captured)

    assert queries_for(4) == queries_for(8)
