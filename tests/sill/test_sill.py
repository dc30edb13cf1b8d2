import json
import re

import pytest
from django.core.management import CommandError, call_command

from catalog.models import PublicBody
from sill.enums import DeclarationKind
from sill.importer import import_sill, read_source
from sill.models import Declaration, Instance, Software
from tests.factories import RepositoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def listed(response):
    return re.findall(
        r'<h3 class="fr-card__title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def test_the_real_2022_sill_imports_with_statuses_and_links():
    report = import_sill(text=read_source(None))

    assert (len(report.added), report.invalid) == (240, [])
    assert Software.objects.filter(status="recommended").count() == 180
    assert Software.objects.filter(status="observation").count() == 48
    assert Software.objects.filter(status="dereferenced").count() == 12
    seven = Software.objects.get(sill_id=1)
    assert (seven.name, seven.slug, seven.license, seven.min_version) == (
        "7zip",
        "7zip",
        "LGPL-2.0-only",
        "19",
    )
    assert seven.years == [2018, 2019, 2020, 2021, 2022]
    assert seven.comptoir_id == "72" and seven.framalibre_id == "7-zip"
    # Parents are given by name, similar software by SILL id: both resolved.
    assert Software.objects.filter(parent__name="GLPI").count() >= 4
    assert Software.objects.filter(similar__isnull=False).distinct().count() > 20
    assert Software.objects.filter(support_market=True).count() == 100


def test_import_is_idempotent_and_reports_invalid_entries_one_line_each():
    import_sill(text=read_source(None))
    assert import_sill(text=read_source(None)).summary() == "0 added, 0 updated, 0 invalid"

    entries = [
        {"id": "1", "i": "7zip", "st": "O"},
        {"id": "x", "i": "Bad id", "st": "R"},
        {"id": "999", "i": "", "st": "R"},
        {"id": "998", "i": "Unknown status", "st": "Z"},
        "not an object",
    ]
    report = import_sill(text=json.dumps(entries))

    assert report.updated == ["7zip"]
    assert Software.objects.get(sill_id=1).status == "observation"
    assert report.invalid == [
        "id x (Bad id): the id is not a number",
        "id 999 (no name): the name (i) is missing",
        "id 998 (Unknown status): unknown status 'Z' (expected R, O or FR)",
        "entry of type str: expected an object",
    ]


def test_the_command_refuses_an_unreadable_file(tmp_path):
    path = tmp_path / "sill.json"
    path.write_text("{broken", encoding="utf-8")

    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_sill", str(path))
    assert not Software.objects.exists()


def test_a_software_is_linked_to_its_repository_in_the_catalogue():
    repository = RepositoryFactory(web_url="https://github.com/dinum/outil")
    import_sill(
        text=json.dumps(
            [{"id": "5", "i": "Outil", "st": "R", "sources": "https://github.com/dinum/outil/"}]
        )
    )

    assert Software.objects.get().source_repository == repository


@pytest.fixture
def sill():
    import_sill(text=read_source(None))


def test_list_search_ignores_accents_and_filters_combine(client, sill):
    assert "LibreOffice" in listed(client.get("/sill/?q=libreoffice"))
    assert listed(client.get("/sill/?q=tableur")) == listed(client.get("/sill/?q=TABLEUR"))
    dereferenced = listed(client.get("/sill/?status=dereferenced&per_page=50"))
    assert len(dereferenced) == 12
    supported = client.get("/sill/?support_market=true&status=recommended")
    assert "logiciels" in supported.content.decode()
    assert client.get("/sill/?status=bogus&sort=nope&page=abc").status_code == 200


def test_facets_sorts_and_referent_filter(client, sill):
    body = PublicBody.objects.create(name="Ministère de l’Intérieur")
    libreoffice = Software.objects.get(name="LibreOffice")
    for user in UserFactory.create_batch(3):
        Declaration.objects.create(
            user=user, public_body=body, software=libreoffice, kind=DeclarationKind.USER
        )
    Declaration.objects.create(
        user=UserFactory(), software=libreoffice, kind=DeclarationKind.REFERENT
    )

    assert listed(client.get("/sill/?sort=users"))[0] == "LibreOffice"
    assert listed(client.get("/sill/?has_referent=true")) == ["LibreOffice"]
    assert listed(client.get(f"/sill/?public_body={body.pk}")) == ["LibreOffice"]
    html = client.get("/sill/").content.decode()
    assert 'id="facet-status"' in html and "recommended" in html


def test_detail_shows_declarations_by_public_body_and_hides_internal_instances(client, sill):
    body = PublicBody.objects.create(name="Ministère de l’Intérieur")
    software = Software.objects.get(name="LibreOffice")
    Declaration.objects.create(
        user=UserFactory(), public_body=body, software=software, kind=DeclarationKind.USER
    )
    Instance.objects.create(software=software, url="https://public.example.gouv.fr")
    Instance.objects.create(
        software=software, url="https://intranet.example.gouv.fr", is_public=False
    )

    html = client.get(f"/sill/{software.slug}/").content.decode()
    assert "<h1>LibreOffice</h1>" in html
    assert "Ministère de l’Intérieur" in html
    assert "public.example.gouv.fr" in html and "intranet.example.gouv.fr" not in html

    assert "@numerique.gouv.fr" not in html  # agents' addresses are not public

    client.force_login(UserFactory())
    html = client.get(f"/sill/{software.slug}/").content.decode()
    assert "intranet.example.gouv.fr" in html
    assert "@numerique.gouv.fr" in html
    assert client.get("/sill/nothing-here/").status_code == 404


@pytest.mark.parametrize("url", ["/sill/", "/sill/?q=office", "/sill/libreoffice/"])
def test_query_count_does_not_grow(client, django_assert_num_queries, url, warm_navigation_cache):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    software = Software.objects.create(name="LibreOffice", slug="libreoffice", function="office")
    body = PublicBody.objects.create(name="DINUM")

    def queries_for(rows):
        for i in range(rows):
            other = Software.objects.create(
                name=f"Office {rows}-{i}", slug=f"office-{rows}-{i}", function="office"
            )
            software.similar.add(other)
            Declaration.objects.create(
                user=UserFactory(), public_body=body, software=software, kind=DeclarationKind.USER
            )
            Instance.objects.create(software=software, url=f"https://{rows}-{i}.example.fr")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries_for(3) == queries_for(6)


def test_exports_follow_the_filters_and_the_catalogi_export_lists_everything(client, sill):
    import csv
    import io
    import xml.etree.ElementTree as ET

    body = PublicBody.objects.create(name="DINUM")
    libreoffice = Software.objects.get(name="LibreOffice")
    Declaration.objects.create(
        user=UserFactory(), public_body=body, software=libreoffice, kind=DeclarationKind.REFERENT
    )

    response = client.get("/sill/?status=dereferenced&format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 12 and {row["status"] for row in rows} == {"dereferenced"}

    data = json.loads(b"".join(client.get("/sill/?q=libreoffice&format=json").streaming_content))
    by_name = {row["name"]: row for row in data}
    assert by_name["LibreOffice"]["referents"] == 1 and len(data) < 10

    full = json.loads(client.get("/sill/sill.json").content)
    assert len(full) == 240
    entry = next(item for item in full if item["name"] == "LibreOffice")
    assert entry["userAndReferentCountByOrganization"] == {
        "DINUM": {"userCount": 0, "referentCount": 1}
    }

    feed = ET.fromstring(client.get("/sill/flux.atom").content)
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 50


def test_postgres_search_stems_and_ranks(client):
    from sill.importer import update_search_vectors

    Software.objects.create(name="Courrielleur", slug="courrielleur", function="Messagerie")
    Software.objects.create(name="Agenda", slug="agenda", function="Gestion des courriels")
    Software.objects.create(name="Tableur", slug="tableur", function="Calcul")
    update_search_vectors()

    assert listed(client.get("/sill/?q=courriels")) == ["Agenda"]
    assert listed(client.get("/sill/?q=messagerie")) == ["Courrielleur"]


def test_sitemap_lists_the_software_in_both_languages(client):
    Software.objects.create(name="LibreOffice", slug="libreoffice")

    body = client.get("/sitemap-sill.xml").content.decode()

    assert "<loc>http://testserver/sill/libreoffice/</loc>" in body
    assert 'hreflang="en" href="http://testserver/en/sill/libreoffice/"' in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=Bureautique", {"Writer"}),
        ("status=observation", {"Calc"}),
        ("license=mit", {"Calc"}),
        ("platform=web", {"Writer", "Calc"}),
        ("platform=windows", {"Writer"}),
        ("support_market=true", {"Writer"}),
        ("support_market=false", {"Calc", "Draw"}),
        ("has_referent=true", {"Draw"}),
        ("category=Bureautique&support_market=false", set()),
    ],
)
def test_each_filter(client, query, expected):
    Software.objects.create(
        name="Writer",
        slug="writer",
        category="Bureautique",
        license="MPL-2.0",
        platforms=["web", "windows"],
        support_market=True,
    )
    Software.objects.create(
        name="Calc",
        slug="calc",
        category="Tableur",
        license="MIT",
        platforms=["web"],
        status="observation",
    )
    draw = Software.objects.create(name="Draw", slug="draw", category="Dessin")
    Declaration.objects.create(user=UserFactory(), software=draw, kind=DeclarationKind.REFERENT)

    assert set(listed(client.get(f"/sill/?{query}"))) == expected
