"""The State's directory (DILA's dila_refOrga_admin_Etat_fr) names the public bodies the
portal knows, gives them their acronym, parent and ministry, and never half-imports a file."""

import io
import json
import zipfile
from http.server import BaseHTTPRequestHandler
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog import tasks
from catalog.enums import NameSource
from catalog.models import PublicBody
from catalog.services.counts import refresh_owner_counts
from catalog.services.directory_import import (
    CYCLE,
    DANGLING,
    NO_ID,
    NO_NAME,
    SECOND_PARENT,
    DirectoryError,
    import_directory,
)
from catalog.services.public_bodies import TOP_ORGANIZATIONS, sync_ministries
from tests.factories import (
    DeclarationFactory,
    OwnerFactory,
    PublicBodyFactory,
    RepositoryFactory,
)
from tests.fakehttp import ServedFake, TrackingHTTPServer

pytestmark = pytest.mark.django_db

FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "directory"
    / "dila_refOrga_admin_Etat_fr.json"
)
PREMIER_MINISTRE = "a515667c-6dc0-4544-a1a8-2cf13d7da23b"
SERVICES_PM = "3c1b5e52-7d0a-4f0e-9d7e-0b6a7c1f2e31"
DINUM = "6a7cd2a0-af32-4b55-9125-671b16df777b"
ETALAB = "db2b74d4-4dbc-4d7d-ba1b-5762e2cb06b8"
CULTURE = "da1d6275-6710-485d-a249-282cac69dfe7"
PATRIMOINES = "5f0c8a3e-2b4d-4c6e-8f1a-9b2c3d4e5f60"
FONCTION_PUBLIQUE = "9f101ac7-9a0e-4d62-8b27-8109876dff94"
DGAFP = "7e2d9c4b-1a3f-4b5c-8d6e-0f1a2b3c4d5e"
LOOP_A = "aaaaaaaa-0000-4000-8000-00000000000a"
LOOP_B = "bbbbbbbb-0000-4000-8000-00000000000b"
UNDER_LOOP = "cccccccc-0000-4000-8000-00000000000c"
NAMELESS = "eeeeeeee-0000-4000-8000-00000000000e"


@pytest.fixture
def ministries():
    sync_ministries(TOP_ORGANIZATIONS.read_text(encoding="utf-8"))


def body(pso_id) -> PublicBody:
    return PublicBody.objects.get(pso_id=pso_id)


def directory(**changes) -> dict:
    """The fixture's document, with `changes` ({id: {key: value}}) applied to its entries."""
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for entry in document["service"]:
        entry.update(changes.get(entry.get("id"), {}))
    return document


def as_file(document: dict) -> io.BytesIO:
    return io.BytesIO(json.dumps(document, ensure_ascii=False).encode())


def snapshot():
    return sorted(PublicBody.objects.values_list(named=True))


def test_the_bodies_the_portal_knows_get_names_acronyms_and_ministries(ministries):
    PublicBodyFactory(pso_id=ETALAB, name="")
    PublicBodyFactory(pso_id=PATRIMOINES, name="patrimoine-numerique", name_source="owners")

    report = import_directory(FIXTURE)

    etalab = body(ETALAB)
    assert (etalab.name, etalab.name_source, etalab.slug) == (
        "Etalab",
        NameSource.DIRECTORY,
        "etalab",
    )
    # Its ancestors were not known: they are created, named and attached.
    dinum = etalab.parent
    assert (dinum.pso_id, dinum.name, dinum.acronym) == (
        DINUM,
        "Direction interministérielle du numérique",
        "DINUM",
    )
    assert dinum.siren == "130025265"  # from its SIRET
    assert dinum.parent.pso_id == SERVICES_PM
    assert dinum.parent.parent.pso_id == PREMIER_MINISTRE
    premier_ministre = body(PREMIER_MINISTRE)
    for pso_id in (ETALAB, DINUM, SERVICES_PM, PREMIER_MINISTRE):
        assert body(pso_id).ministry == premier_ministre, pso_id
    patrimoines = body(PATRIMOINES)
    assert patrimoines.name == "Direction générale des patrimoines et de l'architecture"
    assert patrimoines.ministry == patrimoines.parent == body(CULTURE)
    assert body(CULTURE).name_source == NameSource.DIRECTORY
    # Only what the portal needs: a service nobody points at is not stored.
    assert not PublicBody.objects.filter(pso_id=DGAFP).exists()
    assert (report.services, report.kept, report.created) == (13, 7, 2)
    assert (report.parents, report.ministries, report.sirens) == (4, 4, 3)


def test_the_organisation_and_ministry_pages_then_show_the_body_and_its_ministry(
    client, ministries
):
    etalab = PublicBodyFactory(pso_id=ETALAB, name="")
    owner = OwnerFactory(public_body=etalab, path="org-x", name="")
    RepositoryFactory(owner=owner, name="outil-etalab")
    refresh_owner_counts()
    url = f"/organisations/{owner.forge.host}/org-x/"
    assert "Etalab" not in client.get(url).content.decode()

    import_directory(FIXTURE)

    html = client.get(url).content.decode()
    assert '<a class="fr-tag" href="/organismes/etalab/">Etalab</a>' in html
    assert '<a class="fr-tag" href="/ministeres/premier-ministre/">Premier ministre</a>' in html
    ministry = client.get("/ministeres/premier-ministre/")
    page = ministry.content.decode()
    assert '<a href="/organismes/etalab/">Etalab</a>' in page
    assert '<a href="/organismes/direction-interministerielle-du-numerique/">' in page
    assert [r.name for r in ministry.context["repositories"]] == ["outil-etalab"]
    body_page = client.get("/organismes/etalab/").content.decode()
    assert "Direction interministérielle du numérique" in body_page


def test_other_attachments_do_not_make_a_parent(ministries):
    PublicBodyFactory(pso_id=DINUM, name="")

    import_directory(FIXTURE)

    dinum = body(DINUM)
    assert dinum.parent.pso_id == SERVICES_PM
    assert dinum.ministry.pso_id == PREMIER_MINISTRE


def test_a_child_listed_by_two_parents_keeps_the_first_and_it_is_reported():
    PublicBodyFactory(pso_id=ETALAB, name="")

    report = import_directory(FIXTURE)

    assert body(ETALAB).parent.pso_id == DINUM
    assert report.skipped[SECOND_PARENT].count == 1
    assert "Etalab" in report.skipped[SECOND_PARENT].examples[0]


def test_cycles_dangling_links_and_entries_without_id_or_name_are_reported_and_skipped():
    for pso_id in (LOOP_A, LOOP_B, UNDER_LOOP, NAMELESS):
        PublicBodyFactory(pso_id=pso_id, name="")

    report = import_directory(FIXTURE)

    loop_a, loop_b, under = body(LOOP_A), body(LOOP_B), body(UNDER_LOOP)
    assert (loop_a.name, loop_b.name) == ("Service en boucle A", "Service en boucle B")
    assert loop_a.parent is None and loop_b.parent is None
    assert under.parent == loop_a and under.ministry is None
    assert report.skipped[CYCLE].count == 1
    assert "Service en boucle A" in report.skipped[CYCLE].examples[0]
    assert report.skipped[DANGLING].count == 1
    assert "00000000-0000-4000-8000-000000000000" in report.skipped[DANGLING].examples[0]
    assert report.skipped[NO_NAME].examples == [NAMELESS]
    assert body(NAMELESS).name == ""
    assert report.skipped[NO_ID].count == 1
    assert not PublicBody.objects.filter(name="Service sans identifiant").exists()


def test_a_new_import_follows_the_directory_and_keeps_everything_else(ministries):
    etalab = PublicBodyFactory(pso_id=ETALAB, name="")
    owner = OwnerFactory(public_body=etalab)
    declaration = DeclarationFactory(public_body=etalab)
    PublicBodyFactory(pso_id=DINUM, name="La DINUM", name_source=NameSource.EDITOR, acronym="")
    import_directory(FIXTURE)
    assert body(DINUM).acronym == "DINUM"

    moved = directory(
        **{
            ETALAB: {"nom": "Etalab, département de la DINUM", "sigle": "ETALAB"},
            SERVICES_PM: {"hierarchie": []},
            PREMIER_MINISTRE: {
                "hierarchie": [{"type_hierarchie": "Service Fils", "service": ETALAB}]
            },
            DINUM: {"nom": "DINUM renommée", "sigle": "DN"},
        }
    )
    report = import_directory(as_file(moved))

    etalab = body(ETALAB)
    assert (etalab.name, etalab.slug, etalab.acronym) == (
        "Etalab, département de la DINUM",
        "etalab-departement-de-la-dinum",
        "ETALAB",
    )
    assert etalab.parent.pso_id == PREMIER_MINISTRE
    assert etalab.ministry.pso_id == PREMIER_MINISTRE
    # Nothing attaches the Services du Premier ministre, nor the DINUM, to a ministry now.
    assert body(SERVICES_PM).parent is None and body(SERVICES_PM).ministry is None
    dinum = body(DINUM)
    assert (dinum.name, dinum.name_source, dinum.acronym) == (
        "La DINUM",
        NameSource.EDITOR,
        "DINUM",
    )
    assert dinum.ministry is None
    owner.refresh_from_db()
    declaration.refresh_from_db()
    assert owner.public_body_id == declaration.public_body_id == etalab.pk
    assert report.named == 1


def test_the_same_file_again_changes_nothing(ministries):
    PublicBodyFactory(pso_id=ETALAB, name="")
    import_directory(FIXTURE)
    before = snapshot()

    report = import_directory(FIXTURE)

    assert snapshot() == before
    assert report.created == report.named == report.parents == report.ministries == 0


def test_a_zipped_directory_is_read_from_its_first_json_member(tmp_path, ministries):
    PublicBodyFactory(pso_id=ETALAB, name="")
    archive = tmp_path / "dila_refOrga_admin_Etat_fr_latest.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("LISEZMOI.txt", "Référentiel de l'organisation administrative de l'État")
        zipped.write(FIXTURE, "dila_refOrga_admin_Etat_fr_20261006.json")

    import_directory(archive)

    assert body(ETALAB).ministry.pso_id == PREMIER_MINISTRE


class _OneWay(io.RawIOBase):
    """A stream that cannot seek, as a download read on the fly."""

    def __init__(self, data: bytes):
        self.data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        return self.data.readinto(buffer)


@pytest.mark.parametrize(
    "opened",
    [
        lambda: io.BytesIO(b"\xef\xbb\xbf" + FIXTURE.read_bytes()),
        lambda: _OneWay(_zip(**{"dila.json": FIXTURE.read_text(encoding="utf-8")})),
    ],
    ids=["byte-order-mark", "zip-stream"],
)
def test_a_file_object_is_read_too(opened):
    PublicBodyFactory(pso_id=ETALAB, name="")

    import_directory(opened())

    assert body(ETALAB).name == "Etalab"


def _zip(**members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, text in members.items():
            zipped.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<!doctype html><title>Maintenance</title>", "not valid JSON"),
        (b'{"services": [{"id": "x", "nom": "X"}]}', 'expected a JSON object with a "service"'),
        (b'[{"id": "x", "nom": "X"}]', 'expected a JSON object with a "service"'),
        (_zip(**{"LISEZMOI.txt": "rien"}), "the zip archive holds no .json file"),
        (b"PK\x03\x04 not really a zip", "not a readable zip archive"),
        # Cut short: the entries read before the cut are not imported either.
        (FIXTURE.read_bytes()[:6000], "not valid JSON: parse error: premature EOF"),
    ],
    ids=["html", "no-service", "a-list", "zip-without-json", "broken-zip", "truncated"],
)
def test_a_file_that_cannot_be_read_says_why_and_changes_nothing(tmp_path, content, message):
    PublicBodyFactory(pso_id=ETALAB, name="Etalab (ancien nom)")
    before = snapshot()
    path = tmp_path / "directory"
    path.write_bytes(content)

    with pytest.raises(DirectoryError, match=message.replace("(", r"\(")):
        import_directory(path)

    assert snapshot() == before


def test_a_file_over_the_size_cap_is_refused(tmp_path, settings):
    PublicBodyFactory(pso_id=ETALAB, name="")
    before = snapshot()
    settings.PUBLIC_BODIES_DIRECTORY_MAX_BYTES = 1000

    with pytest.raises(DirectoryError, match="larger than 1000 bytes"):
        import_directory(FIXTURE)
    # Zipped, the archive is small but what it holds is not.
    archive = tmp_path / "directory.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(FIXTURE, "directory.json")
    assert archive.stat().st_size < FIXTURE.stat().st_size
    with pytest.raises(DirectoryError, match="larger than 1000 bytes"):
        import_directory(archive)

    assert snapshot() == before


def test_the_command_imports_a_path_and_prints_the_report():
    PublicBodyFactory(pso_id=LOOP_A, name="")
    out = StringIO()

    call_command("import_public_bodies", str(FIXTURE), stdout=out)

    output = out.getvalue()
    assert "13 services read" in output
    assert "1 named" in output
    assert "skipped: 1 cycles of Service Fils links" in output
    assert "Service en boucle A" in output
    assert body(LOOP_A).name == "Service en boucle A"


def test_the_command_refuses_a_file_it_cannot_read(tmp_path):
    broken = tmp_path / "directory.json"
    broken.write_text("{not json", encoding="utf-8")

    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_public_bodies", str(broken))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_public_bodies", str(tmp_path / "missing.json"))


class _FileServer(ServedFake):
    """Files served on 127.0.0.1: {path: bytes}; any other path is a 404."""

    def __init__(self, files: dict[str, bytes]):
        self._init_lifecycle("127.0.0.1", 0)
        self.files = files

    def _make_server(self) -> TrackingHTTPServer:
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = files.get(self.path)
                self.send_response(404 if body is None else 200)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        return TrackingHTTPServer((self.host, self._port), Handler)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"


@pytest.fixture
def file_server():
    with _FileServer({"/dila.zip": _zip(**{"dila.json": FIXTURE.read_text()})}) as server:
        yield server


def test_the_command_downloads_a_url(file_server, ministries):
    PublicBodyFactory(pso_id=ETALAB, name="")
    out = StringIO()

    call_command("import_public_bodies", file_server.url("/dila.zip"), stdout=out)

    assert "13 services read" in out.getvalue()
    assert body(ETALAB).ministry.pso_id == PREMIER_MINISTRE


def test_the_command_says_why_a_download_failed(file_server, settings):
    with pytest.raises(CommandError, match="HTTP 404"):
        call_command("import_public_bodies", file_server.url("/missing.zip"))
    settings.PUBLIC_BODIES_DIRECTORY_MAX_BYTES = 100
    with pytest.raises(CommandError, match="larger than 100 bytes"):
        call_command("import_public_bodies", file_server.url("/dila.zip"))


def test_the_task_does_nothing_until_a_url_is_set(settings, caplog, file_server):
    PublicBodyFactory(pso_id=ETALAB, name="")
    settings.PUBLIC_BODIES_DIRECTORY_URL = ""

    assert tasks.import_public_bodies.delay().get() == "not configured"
    assert "PUBLIC_BODIES_DIRECTORY_URL is not set" in caplog.text
    assert body(ETALAB).name == ""

    settings.PUBLIC_BODIES_DIRECTORY_URL = file_server.url("/dila.zip")
    assert tasks.import_public_bodies.delay().get().startswith("13 services read")
    assert body(ETALAB).name == "Etalab"
