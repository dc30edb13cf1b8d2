"""What public agents declare on the SILL: use, referent, instances, proposals of software."""

import uuid

import pytest
from django.contrib.auth.models import Permission

from moderation.services import publish
from sill.models import Declaration, Instance, Software
from tests.factories import (
    DeclarationFactory,
    InstanceFactory,
    PublicBodyFactory,
    SoftwareFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def body():
    return PublicBodyFactory(name="Ministère de la Culture")


@pytest.fixture
def agent(body):
    return UserFactory(public_body=body, first_name="Camille", last_name="Martin")


@pytest.fixture
def software():
    return SoftwareFactory(name="LibreOffice", slug="libreoffice")


@pytest.fixture
def logged_in(client, agent):
    client.force_login(agent)
    return client


def text(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def token():
    return str(uuid.uuid4())


DECLARE_USER = "/sill/libreoffice/declarer/utilisateur/"
DECLARE_REFERENT = "/sill/libreoffice/declarer/referent/"
ADD_INSTANCE = "/sill/libreoffice/instances/ajouter/"


# --- declarations of use and of referents ----------------------------------------------------


def test_an_agent_declares_using_a_software_pending_until_an_editor_publishes_it(
    logged_in, agent, body, software, client
):
    form = logged_in.get(DECLARE_USER)
    assert form.status_code == 200
    assert 'name="submission_token"' in text(form)
    assert 'name="is_expert"' not in text(form)  # only referents say that

    response = logged_in.post(
        DECLARE_USER,
        {"submission_token": token(), "version": "7.6", "use_case": "Tous les agents."},
        follow=True,
    )

    declaration = Declaration.objects.get()
    assert (declaration.user, declaration.public_body, declaration.kind) == (agent, body, "user")
    assert (declaration.version, declaration.use_case) == ("7.6", "Tous les agents.")
    assert declaration.moderation_status == "pending"
    html = text(response)
    assert "sera publiée après validation" in html
    assert "Vous avez déclaré l’utiliser." in html and "En attente de validation" in html
    assert f"/sill/declarations/{declaration.pk}/modifier/" in html
    # Pending: nobody else sees it, not even in the counts.
    client.logout()
    public = text(client.get("/sill/libreoffice/"))
    assert "Ministère de la Culture" not in public
    assert "Aucun agent public n’a encore déclaré" in public

    publish(declaration, by=UserFactory(staff=True))
    public = text(client.get("/sill/libreoffice/"))
    assert "Ministère de la Culture" in public
    assert "Camille" not in public  # names are for logged-in agents only
    client.force_login(UserFactory())
    assert "Camille Martin" in text(client.get("/sill/libreoffice/"))


def test_a_trusted_agent_referent_is_published_at_once_with_expertise(client, body, software):
    client.force_login(UserFactory(trusted=True, public_body=body))
    form = client.get(DECLARE_REFERENT)
    assert 'name="is_expert"' in text(form)

    client.post(
        DECLARE_REFERENT,
        {"submission_token": token(), "use_case": "Support niveau 2.", "is_expert": "on"},
    )

    declaration = Declaration.objects.get()
    assert (declaration.kind, declaration.is_expert) == ("referent", True)
    assert declaration.moderation_status == "published"
    assert listed_referents(client.get("/sill/?has_referent=true")) == ["LibreOffice"]


def listed_referents(response):
    import re

    return re.findall(r'<h3 class="fr-card__title"><a href="[^"]+">([^<]+)</a>', text(response))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("use_case", "", "Ce champ est obligatoire."),
        ("use_case", "x" * 2001, "au plus 2000 caractères"),
        ("version", "v" * 101, "au plus 100 caractères"),
        ("service_url", "javascript:alert(1)", "Saisissez une URL valide."),
        ("service_url", "ftp://files.example.gouv.fr", "Saisissez une URL valide."),
        ("service_url", "https://" + "a" * 500 + ".fr", "au plus 500 caractères"),
    ],
)
def test_a_declaration_with_a_bad_field_is_refused_field_by_field(
    logged_in, software, field, value, message
):
    data = {"submission_token": token(), "use_case": "Bureautique.", field: value}

    response = logged_in.post(DECLARE_USER, data)

    assert response.status_code == 200
    assert message in text(response)
    assert f'id="id_{field}-desc-error"' in text(response)  # tied to its field
    assert not Declaration.objects.exists()


def test_user_text_is_escaped(logged_in, agent, software):
    logged_in.post(
        DECLARE_USER, {"submission_token": token(), "use_case": "<script>alert(1)</script>"}
    )
    declaration = Declaration.objects.get()
    html = text(logged_in.get(f"/sill/declarations/{declaration.pk}/modifier/"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_same_form_posted_twice_creates_one_declaration(logged_in, software):
    data = {"submission_token": token(), "use_case": "Bureautique."}

    first = logged_in.post(DECLARE_USER, data)
    second = logged_in.post(DECLARE_USER, data)

    assert first.status_code == second.status_code == 302
    assert Declaration.objects.count() == 1


def test_a_second_declaration_of_the_same_kind_gets_a_clear_message(logged_in, agent, software):
    existing = DeclarationFactory(user=agent, software=software, kind="user")
    edit_url = f"/sill/declarations/{existing.pk}/modifier/"

    page = logged_in.get(DECLARE_USER)
    assert "Vous avez déjà fait cette déclaration" in text(page)
    assert edit_url in text(page)
    assert 'name="use_case"' not in text(page)

    response = logged_in.post(DECLARE_USER, {"submission_token": token(), "use_case": "Encore."})
    assert response.status_code == 200
    assert "Vous avez déjà fait cette déclaration" in text(response) and edit_url in text(response)
    assert Declaration.objects.count() == 1
    # The other kind is still possible.
    assert 'name="use_case"' in text(logged_in.get(DECLARE_REFERENT))


def test_without_a_public_body_the_agent_is_asked_to_complete_their_profile(client, software):
    client.force_login(UserFactory(public_body=None))

    page = client.get(DECLARE_USER)
    assert "Indiquez d’abord votre organisme public" in text(page)
    assert "/compte/modifier/?next=/sill/libreoffice/declarer/utilisateur/" in text(page)
    response = client.post(DECLARE_USER, {"submission_token": token(), "use_case": "x"})
    assert "Indiquez d’abord votre organisme public" in text(response)
    assert not Declaration.objects.exists()
    assert "Indiquez d’abord" in text(client.get(ADD_INSTANCE))
    client.post(ADD_INSTANCE, {"submission_token": token(), "url": "https://x.gouv.fr"})
    assert not Instance.objects.exists()


def test_an_unknown_kind_or_software_is_a_404(logged_in, software):
    assert logged_in.get("/sill/libreoffice/declarer/admin/").status_code == 404
    assert logged_in.get("/sill/nothing/declarer/utilisateur/").status_code == 404


def test_an_agent_edits_their_declaration_and_keeps_its_status(logged_in, agent, software):
    declaration = DeclarationFactory(user=agent, software=software, kind="referent")
    url = f"/sill/declarations/{declaration.pk}/modifier/"

    form = logged_in.get(url)
    assert form.status_code == 200 and "Bureautique de tous les agents." in text(form)
    bad = logged_in.post(url, {"use_case": "", "service_url": "not a url"})
    assert bad.status_code == 200 and "Ce champ est obligatoire." in text(bad)
    response = logged_in.post(
        url,
        {"use_case": "Formation.", "version": "24.2", "service_url": "https://office.gouv.fr"},
        follow=True,
    )

    declaration.refresh_from_db()
    assert (declaration.use_case, declaration.version) == ("Formation.", "24.2")
    assert declaration.service_url == "https://office.gouv.fr"
    assert declaration.moderation_status == "published"
    assert "Votre déclaration est modifiée." in text(response)


def test_editing_a_rejected_declaration_sends_it_back_to_the_editors(logged_in, agent, software):
    declaration = DeclarationFactory(user=agent, software=software, moderation_status="rejected")

    logged_in.post(f"/sill/declarations/{declaration.pk}/modifier/", {"use_case": "Corrigé."})

    declaration.refresh_from_db()
    assert (declaration.use_case, declaration.moderation_status) == ("Corrigé.", "pending")


def test_an_agent_withdraws_their_declaration_after_confirming(logged_in, agent, software):
    declaration = DeclarationFactory(user=agent, software=software)
    url = f"/sill/declarations/{declaration.pk}/supprimer/"

    confirm = logged_in.get(url)
    assert confirm.status_code == 200 and "Confirmer la suppression" in text(confirm)
    assert Declaration.objects.exists()
    response = logged_in.post(url, follow=True)

    assert not Declaration.objects.exists()
    assert "Votre déclaration est retirée." in text(response)
    assert response.redirect_chain[-1][0] == "/sill/libreoffice/#mes-declarations"


@pytest.mark.parametrize("action", ["modifier", "supprimer"])
def test_another_agents_declaration_or_instance_is_a_404_and_stays(logged_in, software, action):
    declaration = DeclarationFactory(software=software, use_case="Avant.")
    instance = InstanceFactory(software=software, url="https://avant.gouv.fr")

    for url in (
        f"/sill/declarations/{declaration.pk}/{action}/",
        f"/sill/instances/{instance.pk}/{action}/",
    ):
        assert logged_in.get(url).status_code == 404
        assert (
            logged_in.post(url, {"use_case": "Après.", "url": "https://apres.fr"}).status_code
            == 404
        )

    declaration.refresh_from_db()
    instance.refresh_from_db()
    assert (declaration.use_case, instance.url) == ("Avant.", "https://avant.gouv.fr")


def test_a_moderator_may_edit_any_declaration(client, software):
    moderator = UserFactory(public_body=PublicBodyFactory())
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_declarations"))
    client.force_login(moderator)
    declaration = DeclarationFactory(software=software)

    client.post(f"/sill/declarations/{declaration.pk}/modifier/", {"use_case": "Relu."})

    declaration.refresh_from_db()
    assert declaration.use_case == "Relu."


# --- who may declare -----------------------------------------------------------------------


def declaration_urls(software):
    declaration = DeclarationFactory(software=software)
    instance = InstanceFactory(software=software)
    proposal = SoftwareFactory(proposed=True, submitted_by=declaration.user)
    return [
        DECLARE_USER,
        DECLARE_REFERENT,
        ADD_INSTANCE,
        "/sill/proposer/",
        f"/sill/declarations/{declaration.pk}/modifier/",
        f"/sill/declarations/{declaration.pk}/supprimer/",
        f"/sill/instances/{instance.pk}/modifier/",
        f"/sill/instances/{instance.pk}/supprimer/",
        f"/sill/propositions/{proposal.pk}/modifier/",
        f"/sill/propositions/{proposal.pk}/supprimer/",
    ]


def counts():
    return (Declaration.objects.count(), Instance.objects.count(), Software.objects.count())


def test_anonymous_visitors_are_sent_to_login_and_change_nothing(client, software):
    urls = declaration_urls(software)
    before = counts()
    data = {
        "submission_token": token(),
        "use_case": "x",
        "name": "Nouveau",
        "url": "https://x.gouv.fr",
    }

    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/connexion/?next=")
        response = client.post(url, data)
        assert response.status_code == 302 and "/compte/connexion/" in response["Location"]

    assert counts() == before


def test_a_logged_in_outsider_gets_an_explanation_and_changes_nothing(client, software):
    urls = declaration_urls(software)
    before = counts()
    client.force_login(UserFactory(outsider=True, public_body=PublicBodyFactory()))

    for url in urls:
        response = client.get(url)
        assert response.status_code == 403
        assert "Réservé aux agents publics" in text(response)
        assert client.post(url, {"use_case": "x", "name": "Nouveau"}).status_code == 403

    assert counts() == before
    page = text(client.get("/sill/libreoffice/"))
    assert "Seuls les agents publics peuvent déclarer" in page
    assert DECLARE_USER not in page


def test_the_software_page_offers_the_right_actions_to_each_visitor(client, agent, software):
    anonymous = text(client.get("/sill/libreoffice/"))
    assert "/compte/connexion/?next=/sill/libreoffice/" in anonymous
    assert DECLARE_USER not in anonymous

    client.force_login(agent)
    page = text(client.get("/sill/libreoffice/"))
    assert DECLARE_USER in page and DECLARE_REFERENT in page and ADD_INSTANCE in page
    assert "Je l’utilise" in page

    declaration = DeclarationFactory(user=agent, software=software)
    page = text(client.get("/sill/libreoffice/"))
    assert DECLARE_USER not in page and DECLARE_REFERENT in page
    assert "Vous avez déclaré l’utiliser." in page
    assert f"/sill/declarations/{declaration.pk}/modifier/" in page
    assert f"/sill/declarations/{declaration.pk}/supprimer/" in page


# --- instances ------------------------------------------------------------------------------


def test_an_agent_adds_an_internal_instance_shown_to_agents_only_once_published(
    logged_in, agent, body, software, client
):
    data = {
        "submission_token": token(),
        "url": "https://office.intranet.culture.gouv.fr",
        "audience": "Agents du ministère",
    }  # "is_public" unticked: internal

    response = logged_in.post(ADD_INSTANCE, data, follow=True)
    logged_in.post(ADD_INSTANCE, data)  # the same form again

    instance = Instance.objects.get()
    assert (instance.user, instance.public_body, instance.is_public) == (agent, body, False)
    assert instance.moderation_status == "pending"
    assert "L’instance est enregistrée" in text(response)
    assert f"/sill/instances/{instance.pk}/modifier/" in text(response)

    other_agent = UserFactory()
    client.force_login(other_agent)
    assert "office.intranet.culture.gouv.fr" not in text(client.get("/sill/libreoffice/"))
    publish(instance, by=UserFactory(staff=True))
    assert "office.intranet.culture.gouv.fr" in text(client.get("/sill/libreoffice/"))
    client.logout()
    assert "office.intranet.culture.gouv.fr" not in text(client.get("/sill/libreoffice/"))


def test_a_public_instance_is_shown_to_everybody_once_published(client, software):
    client.force_login(UserFactory(trusted=True, public_body=PublicBodyFactory()))
    client.post(
        ADD_INSTANCE,
        {"submission_token": token(), "url": "https://office.culture.gouv.fr", "is_public": "on"},
    )
    client.logout()

    assert "https://office.culture.gouv.fr" in text(client.get("/sill/libreoffice/"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "", "Ce champ est obligatoire."),
        ("url", "javascript:alert(1)", "Saisissez une URL valide."),
        ("url", "https://" + "a" * 500 + ".fr", "au plus 500 caractères"),
        ("audience", "a" * 301, "au plus 300 caractères"),
    ],
)
def test_an_instance_with_a_bad_field_is_refused(logged_in, software, field, value, message):
    data = {"submission_token": token(), "url": "https://ok.gouv.fr", field: value}

    response = logged_in.post(ADD_INSTANCE, data)

    assert response.status_code == 200 and message in text(response)
    assert not Instance.objects.exists()


def test_an_agent_edits_then_deletes_their_instance(logged_in, agent, software):
    instance = InstanceFactory(user=agent, software=software, url="https://avant.gouv.fr")
    edit = f"/sill/instances/{instance.pk}/modifier/"

    assert "https://avant.gouv.fr" in text(logged_in.get(edit))
    logged_in.post(edit, {"url": "https://apres.gouv.fr", "audience": "Tous", "is_public": "on"})
    instance.refresh_from_db()
    assert (instance.url, instance.audience, instance.moderation_status) == (
        "https://apres.gouv.fr",
        "Tous",
        "published",
    )

    delete = f"/sill/instances/{instance.pk}/supprimer/"
    assert "https://apres.gouv.fr" in text(logged_in.get(delete))
    assert Instance.objects.exists()
    response = logged_in.post(delete, follow=True)
    assert not Instance.objects.exists()
    assert "L’instance est retirée." in text(response)


# --- proposals of new software ----------------------------------------------------------------


def proposal(**values):
    return {
        "submission_token": token(),
        "name": "Grist",
        "function": "Tableur collaboratif",
        "description": "Un tableur et une base de données.",
        "license": "apache-2.0",
        "website": "https://www.getgrist.com",
        "source_url": "https://github.com/gristlabs/grist-core",
        "documentation_url": "https://support.getgrist.com",
        "category": "Bureautique",
        **values,
    }


def test_a_proposal_stays_pending_and_is_seen_by_its_author_only(logged_in, agent, body, client):
    agent.trusted_at = "2024-01-01T00:00:00Z"  # even a trusted agent's proposal waits
    agent.save()
    SoftwareFactory(name="Tableur public", slug="tableur-public")
    data = proposal(uses="on", is_referent="on")

    response = logged_in.post("/sill/proposer/", data, follow=True)
    again = logged_in.post("/sill/proposer/", data)  # the same form again

    assert again.status_code == 302 and again["Location"] == "/sill/grist/"

    software = Software.objects.get(submitted_by=agent)
    assert (software.name, software.slug, software.license) == ("Grist", "grist", "Apache-2.0")
    assert (software.moderation_status, software.submitted_by) == ("pending", agent)
    assert software.description_fr == "Un tableur et une base de données."
    assert sorted(software.declarations.values_list("kind", "user", "public_body")) == [
        ("referent", agent.pk, body.pk),
        ("user", agent.pk, body.pk),
    ]
    assert response.redirect_chain[-1][0] == "/sill/grist/"
    html = text(response)
    assert "Proposition en attente de validation par l’équipe éditoriale" in html
    assert "Votre proposition est enregistrée" in html

    # Nobody else sees it: not the page, the list, the exports, the feed nor the sitemap.
    for visitor in (UserFactory(), None):
        client.logout()
        if visitor:
            client.force_login(visitor)
        assert client.get("/sill/grist/").status_code == 404
        for url in ("/sill/", "/sill/?format=csv", "/sill/?format=json", "/sill/flux.atom"):
            content = text(client.get(url))
            assert "Tableur public" in content and "Grist" not in content
        sitemap = text(client.get("/sitemap-sill.xml"))
        assert "/sill/tableur-public/" in sitemap and "/sill/grist/" not in sitemap
        assert "1 logiciel" in text(client.get("/sill/"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Ce champ est obligatoire."),
        ("name", "n" * 201, "au plus 200 caractères"),
        ("function", "f" * 501, "au plus 500 caractères"),
        ("description", "d" * 5001, "au plus 5000 caractères"),
        ("license", "Licence maison", "pas un identifiant ou une expression SPDX"),
        ("website", "javascript:alert(1)", "Saisissez une URL valide."),
        ("source_url", "ftp://example.org/src", "Saisissez une URL valide."),
        ("documentation_url", "nope", "Saisissez une URL valide."),
        ("category", "c" * 201, "au plus 200 caractères"),
    ],
)
def test_a_proposal_with_a_bad_field_is_refused(logged_in, field, value, message):
    response = logged_in.post("/sill/proposer/", proposal(**{field: value}))

    assert response.status_code == 200 and message in text(response)
    assert not Software.objects.exists()


def test_a_spdx_expression_is_accepted_in_its_canonical_form(logged_in):
    logged_in.post("/sill/proposer/", proposal(license="gpl-2.0-only or mit"))

    assert Software.objects.get().license == "GPL-2.0-only OR MIT"


def test_a_proposal_of_a_software_already_in_the_sill_links_to_it(logged_in, software):
    response = logged_in.post("/sill/proposer/", proposal(name="libreoffice"))

    assert "Ce logiciel est déjà au SILL ou proposé" in text(response)
    assert '<a href="/sill/libreoffice/">LibreOffice</a>' in text(response)
    assert Software.objects.count() == 1


def test_a_proposal_pending_from_someone_else_is_refused_without_a_link(logged_in):
    SoftwareFactory(name="Grist", slug="grist", proposed=True, submitted_by=UserFactory())

    response = logged_in.post("/sill/proposer/", proposal(name="GRIST"))

    assert "attend la validation de l’équipe éditoriale" in text(response)
    assert "/sill/grist/" not in text(response)
    assert Software.objects.count() == 1


def test_a_rejected_name_can_be_proposed_again_under_a_new_slug(logged_in):
    SoftwareFactory(name="Grist", slug="grist", moderation_status="rejected")

    logged_in.post("/sill/proposer/", proposal())

    assert Software.objects.get(moderation_status="pending").slug == "grist-2"


def test_declaring_with_a_proposal_needs_a_public_body(client):
    client.force_login(UserFactory(public_body=None))

    response = client.post("/sill/proposer/", proposal(uses="on"))
    assert "indiquez d’abord votre organisme public" in text(response)
    assert not Software.objects.exists()
    client.post("/sill/proposer/", proposal())
    assert Software.objects.get().declarations.count() == 0


def test_the_author_edits_then_withdraws_their_pending_proposal(logged_in, agent):
    logged_in.post("/sill/proposer/", proposal(uses="on"))
    software = Software.objects.get()
    edit = f"/sill/propositions/{software.pk}/modifier/"

    assert "Tableur collaboratif" in text(logged_in.get(edit))
    logged_in.post(edit, proposal(function="Tableur", license="MIT"))
    software.refresh_from_db()
    assert (software.function, software.license, software.moderation_status) == (
        "Tableur",
        "MIT",
        "pending",
    )

    delete = f"/sill/propositions/{software.pk}/supprimer/"
    assert logged_in.get(delete).status_code == 200
    logged_in.post(delete)
    assert not Software.objects.exists() and not Declaration.objects.exists()


def test_a_published_or_foreign_proposal_cannot_be_edited_by_its_author(logged_in, agent):
    published = SoftwareFactory(submitted_by=agent)
    foreign = SoftwareFactory(proposed=True, submitted_by=UserFactory())

    for software in (published, foreign):
        assert logged_in.get(f"/sill/propositions/{software.pk}/modifier/").status_code == 404
        assert logged_in.post(f"/sill/propositions/{software.pk}/supprimer/").status_code == 404
    assert Software.objects.count() == 2


def test_the_list_page_offers_to_propose_a_software(client):
    assert '<a class="fr-link fr-icon-add-line fr-link--icon-left" href="/sill/proposer/">' in text(
        client.get("/sill/")
    )


def test_a_forged_token_of_another_agents_row_is_refused(logged_in, software):
    other = DeclarationFactory(software=SoftwareFactory(), submission_token=uuid.uuid4())

    response = logged_in.post(
        DECLARE_USER, {"submission_token": str(other.submission_token), "use_case": "x"}
    )

    # As for contributions (one declaration view set): a fresh form, never their row.
    assert response.status_code == 200
    assert "Ce formulaire a expiré" in text(response)
    assert str(other.submission_token) not in text(response)
    assert Declaration.objects.count() == 1


def test_the_software_page_query_count_does_not_grow_for_an_agent(
    client, agent, software, django_assert_num_queries, warm_navigation_cache
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(agent)
    DeclarationFactory(user=agent, software=software)

    def queries_for(rows):
        for _ in range(rows):
            InstanceFactory(user=agent, software=software, pending=True)
            InstanceFactory(software=software)
            DeclarationFactory(software=software)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/sill/libreoffice/").status_code == 200
        return len(captured)

    assert queries_for(3) == queries_for(6)


def test_referents_contacts_and_internal_instances_are_for_public_agents_only(client):
    software = SoftwareFactory(slug="nextcloud")
    DeclarationFactory(
        software=software, referent=True, user=UserFactory(email="referente@culture.gouv.fr")
    )
    InstanceFactory(software=software, url="https://intranet.culture.gouv.fr", is_public=False)

    client.force_login(UserFactory(outsider=True))
    outsider = client.get("/sill/nextcloud/").content.decode()
    client.force_login(UserFactory())
    agent = client.get("/sill/nextcloud/").content.decode()

    assert "referente@culture.gouv.fr" not in outsider
    assert "intranet.culture.gouv.fr" not in outsider
    assert "referente@culture.gouv.fr" in agent
    assert "intranet.culture.gouv.fr" in agent


def test_similar_and_child_software_that_is_not_published_stays_off_the_page(client):
    software = SoftwareFactory(slug="libreoffice")
    software.similar.add(SoftwareFactory(name="Similaire masqué", moderation_status="hidden"))
    SoftwareFactory(name="Enfant en attente", parent=software, proposed=True)

    html = client.get("/sill/libreoffice/").content.decode()

    assert "Similaire masqué" not in html
    assert "Enfant en attente" not in html


@pytest.mark.parametrize(
    "url",
    ["/sill/?q=%00", "/depots/?q=%00", "/contributions/?q=%00", "/contributions/projets/%00/"],
)
def test_a_nul_byte_in_the_address_is_not_an_error(client, url):
    assert client.get(url).status_code in {200, 404}


@pytest.mark.parametrize(
    "url",
    [
        "/depots/?public_body=99999999999999999999999",
        "/depots/?min_stars=99999999999999999999999",
        "/sill/?public_body=99999999999999999999999",
        "/contributions/?public_body=99999999999999999999999",
        "/contributions/?public_body=-1",
    ],
)
def test_an_out_of_range_id_in_a_filter_is_not_an_error(client, url):
    assert client.get(url).status_code == 200
