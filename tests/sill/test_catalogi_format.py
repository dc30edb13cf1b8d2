"""/sill/sill.json and /sill/catalogi.json: the SILL in the format of Catalogi's public export
(CompiledData.Software.Public of api/src/core/ports/CompileData.ts, tag v1.55.10)."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sill.catalogi import NEW_SOFTWARE_ID_OFFSET
from sill.enums import DeclarationKind, SoftwareStatus
from sill.importer import import_sill, read_source
from sill.models import WIKIDATA, ExternalValue, Software
from sill.wikidata import Batch, RefreshReport, _store
from tests.factories import (
    DeclarationFactory,
    InstanceFactory,
    PublicBodyFactory,
    SoftwareFactory,
)

pytestmark = pytest.mark.django_db

# --- The golden description of the format ---------------------------------------------------
# A spec is a type, a set of allowed literal values, a list spec [item spec], or an object
# spec {"required": {key: spec}, "optional": {key: spec}} (None values are never allowed).

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
EPOCH_MS = "epoch-ms"
ISO = "iso-time"
URL = "url"
OPERATING_SYSTEMS = ("windows", "linux", "mac", "android", "ios")
LOCALIZED = "localized-string"  # Catalogi's LocalizedString: a string or {"fr"?, "en"?}


def obj(required=None, optional=None, values=None):
    return {"required": required or {}, "optional": optional or {}, "values": values}


SCHEMA_IDENTIFIER = obj(
    {"@type": {"PropertyValue"}, "value": str},
    {
        "name": str,
        "url": URL,
        "additionalType": str,
        "subjectOf": obj({"@type": {"Website"}, "name": str, "url": URL}, {"additionalType": str}),
    },
)
SOFTWARE = obj(
    required={
        "id": int,
        "name": str,
        "description": str,
        "referencedSinceTime": EPOCH_MS,
        "updateTime": EPOCH_MS,
        "isStillInObservation": bool,
        "license": str,
        "operatingSystems": obj(optional=dict.fromkeys(OPERATING_SYSTEMS, bool)),
        "runtimePlatforms": [{"cloud", "mobile", "desktop"}],
        "categories": [str],
        "keywords": [str],
        "customAttributes": obj(
            {"isPresentInSupportContract": bool, "isFromFrenchPublicService": bool},
            {"doRespectRgaa": bool, "versionMin": str},
        ),
        "serviceProviders": [obj({"@type": {"Organization"}, "name": str}, {"url": URL})],
        "similarExternalSoftwares": [
            obj(
                {
                    "externalId": str,
                    "sourceSlug": {"wikidata"},
                    "name": LOCALIZED,
                    "description": LOCALIZED,
                },
                {"isLibreSoftware": bool},
            )
        ],
        "hasExpertReferent": bool,
        "userAndReferentCountByOrganization": obj(
            values=obj({"userCount": int, "referentCount": int})
        ),
        "instances": [
            obj({"id": int, "organization": str, "targetAudience": str}, {"publicUrl": URL})
        ],
    },
    optional={
        # Catalogi's `time` is required; we leave it out when the day is unknown (ADR 17).
        "dereferencing": obj(optional={"reason": str, "time": ISO, "lastRecommendedVersion": str}),
        "image": URL,
        "latestVersion": obj({"semVer": str, "publicationTime": EPOCH_MS}),
        "softwareExternalData": obj(
            {
                "softwareId": int,
                "name": LOCALIZED,
                "authors": [dict],
                "keywords": [str],
                "programmingLanguages": [str],
                "applicationCategories": [str],
                "runtimePlatforms": [{"cloud", "mobile", "desktop"}],
                "identifiers": [SCHEMA_IDENTIFIER],
                "referencePublications": [dict],
                "providers": [dict],
            },
            {
                "externalId": str,
                "sourceSlug": {"wikidata"},
                "description": LOCALIZED,
                "isLibreSoftware": bool,
                "image": URL,
                "url": URL,
                "codeRepositoryUrl": URL,
                "softwareHelp": URL,
                "license": str,
                "latestVersion": obj({"version": str}, {"releaseDate": str}),
                "dateCreated": str,
                "operatingSystems": obj(optional=dict.fromkeys(OPERATING_SYSTEMS, bool)),
            },
        ),
    },
)


def problems(value, spec, path="$") -> list[str]:
    """Where `value` departs from `spec` (empty when it matches)."""
    if value is None:
        return [f"{path}: null (a field without value is left out)"]
    if spec is EPOCH_MS:
        # Milliseconds since 1970: an integer after 2000-01-01 and before 2100.
        ok = type(value) is int and 946_684_800_000 <= value < 4_102_444_800_000
        return [] if ok else [f"{path}: {value!r} is not epoch milliseconds"]
    if spec is ISO:
        ok = isinstance(value, str) and ISO_TIME.match(value)
        return [] if ok else [f"{path}: {value!r} is not an ISO time"]
    if spec is URL:
        ok = isinstance(value, str) and value.startswith(("https://", "http://"))
        return [] if ok else [f"{path}: {value!r} is not a URL"]
    if spec is LOCALIZED:
        if isinstance(value, str):
            return []
        return problems(value, obj(optional={"fr": str, "en": str}), path)
    if isinstance(spec, set):
        return [] if value in spec else [f"{path}: {value!r} not in {sorted(spec)}"]
    if isinstance(spec, list):
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        return [p for i, item in enumerate(value) for p in problems(item, spec[0], f"{path}[{i}]")]
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        found = []
        if spec["values"] is not None:
            for key, item in value.items():
                found += problems(item, spec["values"], f"{path}[{key!r}]")
            return found
        allowed = spec["required"] | spec["optional"]
        found += [f"{path}.{key}: unexpected key" for key in value if key not in allowed]
        found += [f"{path}.{key}: missing" for key in spec["required"] if key not in value]
        for key, item in value.items():
            if key in allowed:
                found += problems(item, allowed[key], f"{path}.{key}")
        return found
    ok = type(value) is spec  # bool is not an int here
    return [] if ok else [f"{path}: {value!r} is not {spec.__name__}"]


def test_the_golden_description_catches_what_it_must():
    good = {"id": 1, "referencedSinceTime": 1_700_000_000_000}
    spec = obj({"id": int, "referencedSinceTime": EPOCH_MS}, {"image": URL})
    assert problems(good, spec) == []
    assert problems(good | {"image": None}, spec) == [
        "$.image: null (a field without value is left out)"
    ]
    assert problems(good | {"extra": 1}, spec) == ["$.extra: unexpected key"]
    assert problems({"id": True, "referencedSinceTime": 1_700_000_000}, spec) == [
        "$.id: True is not int",
        "$.referencedSinceTime: 1700000000 is not epoch milliseconds",
    ]
    assert problems({"referencedSinceTime": "2024-01-01"}, spec) == [
        "$.id: missing",
        "$.referencedSinceTime: '2024-01-01' is not epoch milliseconds",
    ]


# --- Helpers -----------------------------------------------------------------------------


def catalogi(client, url="/sill/sill.json"):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def entry_of(document, name):
    return next(item for item in document if item["name"] == name)


FETCHED_AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def fetched(software, field, value, at=FETCHED_AT):
    """A value fetched from Wikidata (sill.wikidata.FIELDS), as a refresh stores it."""
    ExternalValue.objects.create(
        software=software, source=WIKIDATA, field=field, value=value, fetched_at=at
    )


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


# --- The document ------------------------------------------------------------------------


def test_every_entry_of_the_real_2022_sill_matches_the_format(client):
    import_sill(text=read_source(None))
    body = PublicBodyFactory(name="DINUM")
    for software in Software.objects.order_by("pk")[:30]:
        DeclarationFactory(software=software, public_body=body)
        DeclarationFactory(software=software, public_body=body, referent=True, is_expert=True)
        InstanceFactory(software=software, public_body=body)
    libreoffice = Software.objects.get(name="LibreOffice")
    fetched(libreoffice, "label_fr", "LibreOffice")

    document = catalogi(client)

    assert isinstance(document, list) and len(document) == 240
    for entry in document:
        assert problems(entry, SOFTWARE) == [], entry["name"]
    assert len({entry["id"] for entry in document}) == 240
    assert [entry["id"] for entry in document] == sorted(entry["id"] for entry in document)
    # Dereferenced software is in, with its dereferencing; the others have none.
    dereferenced = [entry for entry in document if "dereferencing" in entry]
    assert len(dereferenced) == 12
    assert sum(entry["isStillInObservation"] for entry in document) == 48
    # The same document at Catalogi's other address.
    assert catalogi(client, "/sill/catalogi.json") == document


def test_a_software_with_everything_filled(client):
    body = PublicBodyFactory(name="Direction interministérielle du numérique")
    other = PublicBodyFactory(name="Ministère de l’Intérieur")
    writer = SoftwareFactory(name="Writer", wikidata_id="Q171477")
    fetched(writer, "label_en", "Writer")
    software = SoftwareFactory(
        sill_id=42,
        name="LibreOffice",
        function="Suite bureautique",
        description_fr="Une suite bureautique libre.",
        description_en="A free office suite.",
        category="Bureautique",
        keywords=["tableur", "traitement de texte"],
        license="MPL-2.0",
        website="https://www.libreoffice.org/",
        source_url="https://git.libreoffice.org/core",
        documentation_url="https://help.libreoffice.org/",
        logo_url="https://example.org/libreoffice.svg",
        wikidata_id="Q10135",
        comptoir_id="61",
        framalibre_id="libreoffice",
        platforms=["windows", "linux", "macos"],
        min_version="7.5",
        status=SoftwareStatus.RECOMMENDED,
        support_market=True,
        made_by_administration=False,
        years=[2018, 2019],
    )
    software.similar.add(writer)
    fetched(software, "latest_version", "24.8.2")
    fetched(software, "latest_version_date", "2024-10-01")
    DeclarationFactory(software=software, public_body=body)
    DeclarationFactory(software=software, public_body=body)
    DeclarationFactory(software=software, public_body=other, referent=True, is_expert=True)
    instance = InstanceFactory(
        software=software,
        public_body=body,
        url="https://office.example.gouv.fr",
        audience="Les agents",
    )
    software.refresh_from_db()

    entry = entry_of(catalogi(client), "LibreOffice")

    assert problems(entry, SOFTWARE) == []
    assert list(entry) == [
        "serviceProviders",
        "categories",
        "description",
        "customAttributes",
        "id",
        "isStillInObservation",
        "keywords",
        "license",
        "image",
        "name",
        "referencedSinceTime",
        "operatingSystems",
        "runtimePlatforms",
        "latestVersion",
        "updateTime",
        "softwareExternalData",
        "similarExternalSoftwares",
        "hasExpertReferent",
        "userAndReferentCountByOrganization",
        "instances",
    ]  # Catalogi's order (compiledDataPrivateToPublic)
    assert {key: value for key, value in entry.items() if key != "softwareExternalData"} == {
        "serviceProviders": [],
        "categories": ["Bureautique"],
        "description": "Suite bureautique",
        "customAttributes": {
            "isPresentInSupportContract": True,
            "isFromFrenchPublicService": False,
            "versionMin": "7.5",
        },
        "id": 42,
        "isStillInObservation": False,
        "keywords": ["tableur", "traitement de texte"],
        "license": "MPL-2.0",
        "image": "https://example.org/libreoffice.svg",
        "name": "LibreOffice",
        # The first of its years in the SILL.
        "referencedSinceTime": ms(datetime(2018, 1, 1, tzinfo=UTC)),
        "operatingSystems": {
            "windows": True,
            "linux": True,
            "mac": True,
            "android": False,
            "ios": False,
        },
        "runtimePlatforms": ["desktop"],
        # Wikidata's latest version and its publication date, fetched together.
        "latestVersion": {
            "semVer": "24.8.2",
            "publicationTime": ms(datetime(2024, 10, 1, tzinfo=UTC)),
        },
        "updateTime": ms(software.updated_at),
        "similarExternalSoftwares": [
            {
                "externalId": "Q171477",
                "sourceSlug": "wikidata",
                "name": {"en": "Writer"},
                "description": {"fr": "Traitement de texte"},
                "isLibreSoftware": True,
            }
        ],
        "hasExpertReferent": True,
        "userAndReferentCountByOrganization": {
            "Direction interministérielle du numérique": {"referentCount": 0, "userCount": 2},
            "Ministère de l’Intérieur": {"referentCount": 1, "userCount": 0},
        },
        "instances": [
            {
                "id": instance.pk,
                "organization": "Direction interministérielle du numérique",
                "targetAudience": "Les agents",
                "publicUrl": "https://office.example.gouv.fr",
            }
        ],
    }
    external = entry["softwareExternalData"]
    assert {
        key: external[key]
        for key in (
            "externalId",
            "sourceSlug",
            "softwareId",
            "name",
            "description",
            "url",
            "codeRepositoryUrl",
            "softwareHelp",
            "license",
            "latestVersion",
        )
    } == {
        "externalId": "Q10135",
        "sourceSlug": "wikidata",
        "softwareId": 42,
        "name": "LibreOffice",
        "description": {"fr": "Une suite bureautique libre.", "en": "A free office suite."},
        "url": "https://www.libreoffice.org/",
        "codeRepositoryUrl": "https://git.libreoffice.org/core",
        "softwareHelp": "https://help.libreoffice.org/",
        "license": "MPL-2.0",
        "latestVersion": {"version": "24.8.2", "releaseDate": "2024-10-01T00:00:00.000Z"},
    }
    assert [(i["subjectOf"]["additionalType"], i["value"]) for i in external["identifiers"]] == [
        ("FramaLibre", "libreoffice"),
        ("wikidata", "Q10135"),
        ("ComptoirDuLibre", "61"),
    ]


def test_a_nearly_empty_software_leaves_out_what_it_lacks(client):
    software = Software.objects.create(name="Outil", slug="outil")

    (entry,) = catalogi(client)

    assert problems(entry, SOFTWARE) == []
    assert entry == {
        "serviceProviders": [],
        "categories": [],
        "description": "",
        "customAttributes": {
            "isPresentInSupportContract": False,
            "isFromFrenchPublicService": False,
        },
        # Not in the SILL of 2022: an id no SILL id reaches.
        "id": NEW_SOFTWARE_ID_OFFSET + software.pk,
        "isStillInObservation": False,
        "keywords": [],
        "license": "",
        "name": "Outil",
        "referencedSinceTime": ms(software.added_at),
        "operatingSystems": {},
        "runtimePlatforms": [],
        "updateTime": ms(software.updated_at),
        "softwareExternalData": {
            "softwareId": NEW_SOFTWARE_ID_OFFSET + software.pk,
            "name": "Outil",
            "isLibreSoftware": True,
            "authors": [],
            "keywords": [],
            "programmingLanguages": [],
            "applicationCategories": [],
            "runtimePlatforms": [],
            "identifiers": [],
            "referencePublications": [],
            "providers": [],
        },
        "similarExternalSoftwares": [],
        "hasExpertReferent": False,
        "userAndReferentCountByOrganization": {},
        "instances": [],
    }


def test_no_latest_version_without_its_own_publication_date(client):
    dated = SoftwareFactory(name="Daté")
    fetched(dated, "latest_version", "2.0")
    # The date of an older version, kept by a refresh that no longer found one for 2.0.
    fetched(dated, "latest_version_date", "2020-01-01", at=FETCHED_AT - timedelta(days=30))
    undated = SoftwareFactory(name="Sans date")
    fetched(undated, "latest_version", "1.0")

    document = catalogi(client)

    for name in ("Daté", "Sans date"):
        entry = entry_of(document, name)
        assert "latestVersion" not in entry
        assert "releaseDate" not in entry["softwareExternalData"]["latestVersion"]


def test_dereferenced_software_is_included_with_its_dereferencing(client):
    SoftwareFactory(
        name="Ancien",
        status=SoftwareStatus.DEREFERENCED,
        dereferenced_reason="Plus maintenu",
        dereferenced_at=date(2024, 3, 1),
        max_version="3.2",
    )
    SoftwareFactory(name="Sans date", status=SoftwareStatus.DEREFERENCED)
    SoftwareFactory(name="En observation", status=SoftwareStatus.OBSERVATION)

    document = catalogi(client)

    assert entry_of(document, "Ancien")["dereferencing"] == {
        "reason": "Plus maintenu",
        "time": "2024-03-01T00:00:00.000Z",
        "lastRecommendedVersion": "3.2",
    }
    # The 2022 file gave no day: nothing made up.
    assert entry_of(document, "Sans date")["dereferencing"] == {}
    observed = entry_of(document, "En observation")
    assert "dereferencing" not in observed and observed["isStillInObservation"] is True


def test_only_published_rows_count_and_private_instances_stay_out(client):
    body = PublicBodyFactory(name="DINUM")
    software = SoftwareFactory(name="GLPI")
    SoftwareFactory(name="Proposé", proposed=True)
    DeclarationFactory(software=software, public_body=body)
    DeclarationFactory(software=software, public_body=body, pending=True)
    DeclarationFactory(
        software=software, public_body=body, referent=True, is_expert=True, pending=True
    )
    DeclarationFactory(
        software=software,
        public_body=body,
        moderation_status="hidden",
        kind=DeclarationKind.REFERENT,
    )
    public = InstanceFactory(software=software, public_body=body)
    InstanceFactory(software=software, public_body=body, is_public=False)
    InstanceFactory(software=software, public_body=body, pending=True)
    # A body not in our list: the name the agent typed.
    DeclarationFactory(software=software, public_body=None, public_body_unlisted="Mairie de X")

    document = catalogi(client)

    assert [entry["name"] for entry in document] == ["GLPI"]
    (entry,) = document
    assert entry["userAndReferentCountByOrganization"] == {
        "DINUM": {"referentCount": 0, "userCount": 1},
        "Mairie de X": {"referentCount": 0, "userCount": 1},
    }
    assert entry["hasExpertReferent"] is False
    assert [instance["id"] for instance in entry["instances"]] == [public.pk]


# --- Serving -----------------------------------------------------------------------------


def test_the_document_is_cached_until_the_sill_changes(client, django_assert_num_queries):
    software = SoftwareFactory(name="GLPI")
    first = client.get("/sill/sill.json", headers={"origin": "https://catalogi.example.eu"})
    assert first["Access-Control-Allow-Origin"] == "*"
    assert "origin" in first["Vary"].lower()
    with django_assert_num_queries(0):
        again = client.get("/sill/sill.json")
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert (
        client.get("/sill/sill.json", headers={"if-none-match": first["ETag"]}).status_code == 304
    )

    DeclarationFactory(software=software, public_body=PublicBodyFactory(name="DINUM"))

    (entry,) = catalogi(client)
    assert entry["userAndReferentCountByOrganization"] == {
        "DINUM": {"referentCount": 0, "userCount": 1}
    }
    software.similar.add(SoftwareFactory(name="Autre", wikidata_id="Q1"))
    entry = entry_of(catalogi(client), "GLPI")
    assert [item["externalId"] for item in entry["similarExternalSoftwares"]] == ["Q1"]


def test_a_wikidata_refresh_makes_the_document_stale(client):
    software = SoftwareFactory(name="GLPI", wikidata_id="Q1")
    assert "image" not in catalogi(client)[0]
    entity = {
        "claims": {
            "P154": [
                {
                    "rank": "normal",
                    "mainsnak": {
                        "snaktype": "value",
                        "datavalue": {"value": "GLPI.svg", "type": "string"},
                    },
                }
            ]
        }
    }
    _store(
        Batch(ids=["Q1"], entities={"Q1": entity}),
        {"Q1": [software.pk]},
        timezone.now(),
        RefreshReport(),
    )

    assert catalogi(client)[0]["image"].endswith("/Special:FilePath/GLPI.svg")


def test_the_document_takes_the_same_queries_for_n_and_2n_software(client):
    body = PublicBodyFactory()

    def queries_for(count):
        for i in range(count):
            software = SoftwareFactory(wikidata_id=f"Q{i + 1}")
            DeclarationFactory(software=software, public_body=body)
            InstanceFactory(software=software, public_body=body)
            if i:
                software.similar.add(Software.objects.exclude(pk=software.pk).first())
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/sill/sill.json").status_code == 200
        return len(captured)

    assert queries_for(3) == queries_for(6) == 5
