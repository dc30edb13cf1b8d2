"""Public bodies get names a person can read from the lists code.gouv.fr publishes, then
from their forge accounts; a better source wins, an editor's name is never replaced."""

import re

import pytest

from accounts.forms import ProfileForm
from catalog.enums import NameSource
from catalog.models import PublicBody
from catalog.services.accounts_import import DEFAULT_SOURCE, import_accounts
from catalog.services.public_bodies import (
    NamesFileError,
    name_from_ospos,
    name_from_owners,
    sync_ministries,
)
from tests.factories import (
    ContributionFactory,
    DeclarationFactory,
    OwnerFactory,
    PublicBodyFactory,
    RepositoryFactory,
)

pytestmark = pytest.mark.django_db

MINISTRY = "7bc12104-b232-46a6-a6d7-85bcf2dfccf1"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def unnamed(pso_id=MINISTRY):
    return PublicBodyFactory(pso_id=pso_id, name="")


def test_a_better_list_replaces_a_lesser_one_never_the_reverse():
    body = unnamed()
    OwnerFactory(public_body=body, path="justice-org", name="")

    name_from_owners()
    body.refresh_from_db()
    assert body.name == "justice-org"

    sync_ministries(f"{MINISTRY}: Ministère de la Justice\n")
    name_from_ospos(f"https://x.fr:\n  name: OSPO de la Justice\n  pso_id: {MINISTRY}\n")
    name_from_owners()

    body.refresh_from_db()
    assert (body.name, body.name_source) == ("Ministère de la Justice", NameSource.TOP)


def test_an_editors_name_is_never_replaced():
    body = PublicBodyFactory(pso_id=MINISTRY, name="Justice", name_source=NameSource.EDITOR)

    sync_ministries(f"{MINISTRY}: Ministère de la Justice\n")
    assert name_from_owners() == 0
    body.refresh_from_db()
    assert body.name == "Justice"


def test_a_body_no_list_names_is_shown_by_its_accounts_and_follows_them():
    body = unnamed("pso-etalab")
    OwnerFactory(public_body=body, path="etalab-datalab", name="")
    owner = OwnerFactory(public_body=body, path="etalab", name="Etalab")

    name_from_owners()
    body.refresh_from_db()
    assert (body.name, body.name_source) == ("Etalab, etalab-datalab", NameSource.OWNERS)

    owner.delete()
    name_from_owners()
    body.refresh_from_db()
    assert body.name == "etalab-datalab"


def test_a_body_with_nothing_to_show_says_so_and_is_never_offered_in_the_profile():
    body = unnamed("pso-nobody")
    named = unnamed("pso-named")
    OwnerFactory(public_body=named, path="dinum", name="DINUM")

    name_from_owners()

    body.refresh_from_db()
    assert str(body) == "Organisme non identifié"
    offered = list(ProfileForm().fields["public_body"].queryset)
    assert offered == [PublicBody.objects.get(pk=named.pk)]


@pytest.mark.parametrize("text", ["{not: yaml: [", "- a list\n- not a mapping\n", "just text"])
def test_a_list_that_cannot_be_read_says_why_and_changes_nothing(text):
    body = unnamed()

    with pytest.raises(NamesFileError):
        sync_ministries(text)

    body.refresh_from_db()
    assert body.name == ""


def test_the_shipped_accounts_file_leaves_no_body_without_a_name():
    import_accounts(text=DEFAULT_SOURCE.read_text(encoding="utf-8"))

    named = dict(PublicBody.objects.values_list("pso_id", "name"))
    assert named[MINISTRY] == "Ministère de la Justice"
    referenced = PublicBody.objects.exclude(owners=None) | PublicBody.objects.exclude(forges=None)
    assert referenced.count() > 100
    assert not referenced.filter(name="").exists()
    assert not [name for name in named.values() if UUID.search(name)]


def test_no_page_shows_a_body_identifier_even_for_a_body_nobody_named(client):
    """A person reads names: an unnamed body is "Organisme non identifié" everywhere."""
    body = unnamed("db2b74d4-4dbc-4d7d-ba1b-5762e2cb06b8")
    owner = OwnerFactory(public_body=body, path="org")
    repository = RepositoryFactory(owner=owner, name="outil")
    contribution = ContributionFactory(public_body=body)
    declaration = DeclarationFactory(public_body=body)
    urls = [
        f"/depots/{repository.forge.host}/{repository.full_path}/",
        f"/organisations/{owner.forge.host}/org/",
        "/contributions/",
        f"/contributions/{contribution.pk}/",
        f"/contributions/?public_body={body.pk}",
        f"/sill/{declaration.software.slug}/",
    ]
    # Without a name, no address: no page of its own.
    assert client.get(f"/contributions/organismes/{body.pk}/").status_code == 404

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not UUID.search(html), url
    assert "Organisme non identifié" in client.get(urls[0]).content.decode()


def test_every_top_organization_is_a_ministry_with_an_address_even_before_an_account_points_at_it():
    body = PublicBodyFactory(pso_id="b-old", name="Ancien ministère", is_ministry=True)
    attached = PublicBodyFactory(pso_id="b-child", name="Service", ministry=body)

    sync_ministries(f"{MINISTRY}: Ministère de la Justice\nother-id: Premier ministre\n")

    justice = PublicBody.objects.get(pso_id=MINISTRY)
    assert justice.is_ministry and justice.ministry == justice
    assert justice.slug == "ministere-de-la-justice"
    assert PublicBody.objects.get(pso_id="other-id").slug == "premier-ministre"
    body.refresh_from_db()
    attached.refresh_from_db()
    assert not body.is_ministry and attached.ministry is None


def test_slugs_follow_names_and_never_collide():
    first = unnamed("pso-a")
    second = unnamed("pso-b")
    OwnerFactory(public_body=first, path="dinum", name="DINUM")
    OwnerFactory(public_body=second, path="dinum-2", name="DINUM")

    name_from_owners()

    slugs = sorted(
        PublicBody.objects.filter(pk__in=[first.pk, second.pk]).values_list("slug", flat=True)
    )
    assert slugs == ["dinum", "dinum-2"]
    assert PublicBodyFactory(name="").slug is None


def test_the_admin_lists_bodies_by_name_never_by_directory_id(admin_client):
    PublicBodyFactory(pso_id=MINISTRY, name="Ministère de la Justice", is_ministry=True)

    html = admin_client.get("/admin/catalog/publicbody/").content.decode()

    assert "Ministère de la Justice" in html
    assert not UUID.search(html)
