import pytest
from django.contrib.admin.models import LogEntry

from sill.enums import DeclarationKind
from sill.models import Declaration, Instance, Software
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_dereferencing_asks_for_a_reason_and_records_it(admin_client):
    software = Software.objects.create(name="Vieux", slug="vieux")
    data = {"action": "dereference", "_selected_action": [software.pk]}

    form = admin_client.post("/admin/sill/software/", data)
    assert "Raison du déréférencement" in form.content.decode()
    software.refresh_from_db()
    assert software.status == "recommended"

    admin_client.post("/admin/sill/software/", {**data, "apply": "1", "reason": "Plus maintenu"})

    software.refresh_from_db()
    assert (software.status, software.dereferenced_reason) == ("dereferenced", "Plus maintenu")
    assert software.dereferenced_at is not None
    assert LogEntry.objects.filter(object_id=str(software.pk)).exists()


def test_merging_duplicates_keeps_declarations_instances_and_links(admin_client):
    first = Software.objects.create(name="LibreOffice", slug="libreoffice")
    second = Software.objects.create(
        name="Libre Office", slug="libre-office", website="https://www.libreoffice.org"
    )
    other = Software.objects.create(name="OnlyOffice", slug="onlyoffice")
    second.similar.add(other)
    agent, both = UserFactory(), UserFactory()
    Declaration.objects.create(user=agent, software=second, kind=DeclarationKind.USER)
    Declaration.objects.create(user=both, software=first, kind=DeclarationKind.USER)
    Declaration.objects.create(user=both, software=second, kind=DeclarationKind.USER)
    Instance.objects.create(software=second, url="https://office.example.gouv.fr")

    admin_client.post(
        "/admin/sill/software/",
        {"action": "merge_duplicates", "_selected_action": [first.pk, second.pk]},
    )

    assert list(Software.objects.order_by("pk").values_list("name", flat=True)) == [
        "LibreOffice",
        "OnlyOffice",
    ]
    first.refresh_from_db()
    assert first.website == "https://www.libreoffice.org"
    assert first.declarations.count() == 2
    assert first.instances.count() == 1
    assert list(first.similar.all()) == [other]
