"""The SILL in the format of Catalogi's public export (`/sill/sill.json`, `/sill/catalogi.json`).

Catalogi (https://github.com/codegouvfr/catalogi), which serves the SILL today, publishes
`compiledDataPrivateToPublic(getCompiledDataPrivate())` at `*/sill.json` and
`*/catalogi.json`: a bare JSON array, one object per software (dereferenced ones included),
whose shape is the TypeScript type `CompiledData.Software.Public` of
`api/src/core/ports/CompileData.ts`, filled by
`api/src/core/adapters/dbApi/kysely/createGetCompiledData.ts` (tag v1.55.10). This module
builds the same document from our models, so that its reusers can switch without changes.

As there, a field typed `T | undefined` is left out when it has no value (JSON.stringify
drops undefined), never null: `dereferencing`, `image`, `latestVersion`,
`softwareExternalData`, an instance's `publicUrl`; the others are always present, with
Catalogi's own defaults when we know nothing (`description` and `license` "", lists
empty, `operatingSystems` {}). Only published software, declarations and instances count;
instances only when open to the public. ADR 17 lists what we cannot fill and why.

The document is built in five queries whatever the number of software, and cached under
the SILL's version (bumped by every write to the SILL, see SillConfig.ready) and the
catalogue's (public body names).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import UTC, date, datetime

from django.core.cache import cache
from django.db import models

from catalog.listing_cache import catalog_version
from sill.enums import DeclarationKind, SoftwareStatus
from sill.models import WIKIDATA, Declaration, ExternalValue, Instance, Software
from sill.versioning import sill_version
from sill.wikidata import normalize_qid

# Bump when the document's shape changes, so that a deployment never serves the old one.
SCHEMA = 1
# A bound on staleness for what no version follows (an editor renaming a public body).
TIMEOUT = 60 * 60

# Software ids: the SILL's own (Catalogi kept them) for the software it listed; software
# referenced here since gets this offset plus our primary key, which no SILL id reaches.
NEW_SOFTWARE_ID_OFFSET = 1_000_000

# `Software.platforms` values (lower case, editors' free list) -> Catalogi's Os keys.
OPERATING_SYSTEMS = ("windows", "linux", "mac", "android", "ios")
OS_ALIASES = {
    "windows": "windows",
    "linux": "linux",
    "gnu/linux": "linux",
    "mac": "mac",
    "macos": "mac",
    "mac os": "mac",
    "osx": "mac",
    "android": "android",
    "ios": "ios",
}
# `Software.platforms` values -> Catalogi's RuntimePlatform ("cloud", "mobile", "desktop").
RUNTIME_ALIASES = {
    "cloud": "cloud",
    "web": "cloud",
    "saas": "cloud",
    "mobile": "mobile",
    "desktop": "desktop",
}
RUNTIME_OF_OS = {
    "windows": "desktop",
    "linux": "desktop",
    "mac": "desktop",
    "android": "mobile",
    "ios": "mobile",
}


# --- Cache --------------------------------------------------------------------------------


def cached_document() -> tuple[bytes, str]:
    """(the JSON document as UTF-8 bytes, its ETag), built once per SILL and catalogue
    version. Without a cache (Redis down) it is built for each request, more slowly."""
    key = f"sill:catalogi:s{SCHEMA}:{sill_version()}:{catalog_version()}"
    cached = cache.get(key)
    if cached is None:
        body = json.dumps(document(), ensure_ascii=False, separators=(",", ":")).encode()
        cached = (body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
        cache.set(key, cached, timeout=TIMEOUT)
    return cached


# --- Values -------------------------------------------------------------------------------


def epoch_ms(moment: datetime) -> int:
    """JavaScript's Date.getTime(): milliseconds since 1970-01-01 UTC."""
    return int(moment.timestamp() * 1000)


def iso_time(day: date) -> str:
    """JavaScript's Date.toISOString() of a day's midnight UTC: "2024-03-01T00:00:00.000Z"."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def catalogi_id(sill_id: int | None, pk: int) -> int:
    return sill_id if sill_id is not None else NEW_SOFTWARE_ID_OFFSET + pk


def referenced_since(years: list, added_at: datetime) -> int:
    """When the software entered the SILL: January 1st of its first year in the SILL when
    the 2022 file gave its years, else when it was added here."""
    first_year = min((year for year in years or () if isinstance(year, int)), default=None)
    if first_year and first_year < added_at.year:
        return epoch_ms(datetime(first_year, 1, 1, tzinfo=UTC))
    return epoch_ms(added_at)


def platforms(values: list) -> tuple[dict, list]:
    """(operatingSystems, runtimePlatforms) from `Software.platforms`: every Os key when one
    is known ({} when none is: Catalogi's default, not "runs nowhere")."""
    names = {value.strip().lower() for value in _strings(values)}
    systems = {OS_ALIASES[name] for name in names if name in OS_ALIASES}
    runtimes = {RUNTIME_ALIASES[name] for name in names if name in RUNTIME_ALIASES}
    runtimes |= {RUNTIME_OF_OS[name] for name in systems}
    operating_systems = {name: name in systems for name in OPERATING_SYSTEMS} if systems else {}
    return operating_systems, sorted(runtimes)


def localized(fr: str | None, en: str | None) -> dict | None:
    """Catalogi's LocalizedString as an object ({"fr", "en"}, the languages known), or None."""
    value = {language: text for language, text in (("fr", fr), ("en", en)) if text}
    return value or None


def organization(row: dict) -> str:
    """The organisation of a declaration or an instance: its public body's name, else the
    name the agent typed for a body not in our list."""
    return (row["public_body__name"] or row["public_body_unlisted"] or "").strip()


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _strings(values) -> list[str]:
    """The non-blank strings of a JSON list field (anything else in it left out)."""
    if not isinstance(values, list):
        return []
    return [value for value in values if isinstance(value, str) and value.strip()]


# --- Reads --------------------------------------------------------------------------------

SOFTWARE_FIELDS = (
    "pk",
    "sill_id",
    "name",
    "function",
    "description_fr",
    "description_en",
    "category",
    "keywords",
    "license",
    "website",
    "source_url",
    "documentation_url",
    "logo_url",
    "wikidata_id",
    "comptoir_id",
    "framalibre_id",
    "platforms",
    "min_version",
    "max_version",
    "status",
    "dereferenced_reason",
    "dereferenced_at",
    "support_market",
    "made_by_administration",
    "years",
    "added_at",
    "updated_at",
)


def _wikidata_values(software_ids) -> dict[int, dict]:
    """{software pk: {FIELDS name: value}}, and `release`: (version, publication day) when
    both were stored by the same refresh (a refresh keeps what an item no longer says, so
    an older date may sit beside a newer version)."""
    values = defaultdict(dict)
    fetched = defaultdict(dict)
    rows = ExternalValue.objects.filter(software__in=software_ids, source=WIKIDATA)
    for software_id, field, value, fetched_at in rows.values_list(
        "software_id", "field", "value", "fetched_at"
    ):
        if value not in (None, ""):
            values[software_id][field] = value
            fetched[software_id][field] = fetched_at
    for software_id, times in fetched.items():
        version = times.get("latest_version")
        if version is not None and version == times.get("latest_version_date"):
            found = values[software_id]
            try:
                day = date.fromisoformat(found["latest_version_date"])
            except (TypeError, ValueError):
                continue
            found["release"] = (found["latest_version"], day)
    return values


def _declaration_counts(software_ids) -> tuple[dict[int, dict], set[int]]:
    """({software pk: {organisation: {"userCount", "referentCount"}}}, the pks of the
    software with an expert referent), from published declarations only. Catalogi counts
    referents first, then users: the same order of organisations when both are new."""
    counts = defaultdict(dict)
    experts = set()
    rows = (
        Declaration.objects.published()
        .filter(software__in=software_ids)
        .values("software_id", "public_body__name", "public_body_unlisted")
        .annotate(
            users=models.Count("pk", filter=models.Q(kind=DeclarationKind.USER)),
            referents=models.Count("pk", filter=models.Q(kind=DeclarationKind.REFERENT)),
            experts=models.Count(
                "pk", filter=models.Q(kind=DeclarationKind.REFERENT, is_expert=True)
            ),
        )
        .order_by("software_id", "public_body__name", "public_body_unlisted")
    )
    for row in rows:
        if row["experts"]:
            experts.add(row["software_id"])
        name = organization(row)
        if not name:  # a declaration without any organisation: nothing to name it by
            continue
        entry = counts[row["software_id"]].setdefault(name, {"referentCount": 0, "userCount": 0})
        entry["referentCount"] += row["referents"]
        entry["userCount"] += row["users"]
    return counts, experts


def _public_instances(software_ids) -> dict[int, list]:
    instances = defaultdict(list)
    rows = (
        Instance.objects.published()
        .filter(software__in=software_ids, is_public=True)
        .values("pk", "software_id", "url", "audience", "public_body__name", "public_body_unlisted")
        .order_by("pk")
    )
    for row in rows:
        instance = {
            "id": row["pk"],
            "organization": organization(row),
            "targetAudience": row["audience"],
        }
        if row["url"]:
            instance["publicUrl"] = row["url"]
        instances[row["software_id"]].append(instance)
    return instances


def _similar(published: dict[int, dict], external: dict[int, dict]) -> dict[int, list]:
    """Catalogi's similar software are Wikidata items: the published similar software that
    name one, as Catalogi's SimilarSoftwareExternalData, sorted by item id. `published`:
    the software rows by pk."""
    targets = {pk: row for pk, row in published.items() if row["wikidata_id"]}
    similar = defaultdict(list)
    pairs = Software.similar.through.objects.filter(
        from_software__in=list(published), to_software__in=list(targets)
    ).values_list("from_software_id", "to_software_id")
    for source, target in pairs:
        row = targets[target]
        qid = normalize_qid(row["wikidata_id"])
        if qid is None:
            continue
        fetched = external.get(target, {})
        item = {
            "externalId": qid,
            "sourceSlug": WIKIDATA,
            "name": localized(fetched.get("label_fr"), fetched.get("label_en")) or row["name"],
            "description": localized(
                row["description_fr"] or fetched.get("description_fr") or row["function"],
                row["description_en"] or fetched.get("description_en"),
            )
            or "",
            # In the SILL: free software.
            "isLibreSoftware": True,
        }
        similar[source].append(item)
    for items in similar.values():
        items.sort(key=lambda item: item["externalId"])
    return similar


# --- The document -------------------------------------------------------------------------


def document() -> list[dict]:
    """Every published software of the SILL as Catalogi's CompiledData.Software.Public,
    by id."""
    rows = list(Software.objects.published().values(*SOFTWARE_FIELDS))
    ids = [row["pk"] for row in rows]
    external = _wikidata_values(ids)
    counts, experts = _declaration_counts(ids)
    instances = _public_instances(ids)
    similar = _similar({row["pk"]: row for row in rows}, external)
    entries = [
        software_entry(
            row,
            external=external.get(row["pk"], {}),
            counts=counts.get(row["pk"], {}),
            has_expert=row["pk"] in experts,
            instances=instances.get(row["pk"], []),
            similar=similar.get(row["pk"], []),
        )
        for row in rows
    ]
    entries.sort(key=lambda entry: entry["id"])
    return entries


def software_entry(row, *, external, counts, has_expert, instances, similar) -> dict:
    """One software, keys in the order Catalogi writes them (compiledDataPrivateToPublic)."""
    software_id = catalogi_id(row["sill_id"], row["pk"])
    description = row["function"] or row["description_fr"] or external.get("description_fr")
    license = row["license"] or _wikidata_license(external)
    image = row["logo_url"] or external.get("logo")
    operating_systems, runtime_platforms = platforms(row["platforms"])
    custom_attributes = {
        "isPresentInSupportContract": row["support_market"],
        "isFromFrenchPublicService": row["made_by_administration"],
    }
    if row["min_version"]:
        custom_attributes["versionMin"] = row["min_version"]

    entry = {
        # Catalogi takes providers from the CNLL and the Comptoir du Libre: none here.
        "serviceProviders": [],
        "categories": [row["category"]] if row["category"] else [],
    }
    if row["status"] == SoftwareStatus.DEREFERENCED:
        entry["dereferencing"] = dereferencing(row)
    entry |= {
        "description": _text(description),
        "customAttributes": custom_attributes,
        "id": software_id,
        "isStillInObservation": row["status"] == SoftwareStatus.OBSERVATION,
        "keywords": _strings(row["keywords"]),
        "license": license,
    }
    if image:
        entry["image"] = image
    entry |= {
        "name": row["name"],
        "referencedSinceTime": referenced_since(row["years"], row["added_at"]),
        "operatingSystems": operating_systems,
        "runtimePlatforms": runtime_platforms,
    }
    release = latest_version(external)
    if release:
        entry["latestVersion"] = release
    entry["updateTime"] = epoch_ms(row["updated_at"])
    external_data = software_external_data(
        row, software_id=software_id, external=external, license=license, image=image
    )
    if external_data:
        entry["softwareExternalData"] = external_data
    entry |= {
        "similarExternalSoftwares": similar,
        "hasExpertReferent": has_expert,
        "userAndReferentCountByOrganization": counts,
        "instances": instances,
    }
    return entry


def latest_version(external) -> dict | None:
    """{semVer, publicationTime}: Wikidata's latest version and its publication date; none
    without a date (as in Catalogi, where publicationTime is required)."""
    if not external.get("release"):
        return None
    version, day = external["release"]
    published = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return {"semVer": version, "publicationTime": epoch_ms(published)}


def dereferencing(row) -> dict:
    """{reason?, time, lastRecommendedVersion?}; `time` (an ISO string in Catalogi) is left
    out when we do not know the day (the software the 2022 file listed as dereferenced)."""
    value = {}
    if row["dereferenced_reason"].strip():
        value["reason"] = row["dereferenced_reason"].strip()
    if row["dereferenced_at"]:
        value["time"] = iso_time(row["dereferenced_at"])
    if row["max_version"]:
        value["lastRecommendedVersion"] = row["max_version"]
    return value


def _wikidata_license(external) -> str:
    """Wikidata's licence when it is an SPDX id (sill.wikidata keeps others as
    "wikidata:Q…", which no reuser of Catalogi's file would expect)."""
    value = external.get("license") or ""
    return "" if value.startswith("wikidata:") else value


def software_external_data(row, *, software_id, external, license, image) -> dict:
    """Catalogi's merged `softwareExternalData` (a DatabaseDataType.SoftwareExternalDataRow):
    where a reuser finds the software's Wikidata id, website, source code and
    documentation. The identity (externalId, sourceSlug) only when the software names a
    Wikidata item; the lists always, as Catalogi's merge gives them."""
    qid = normalize_qid(row["wikidata_id"]) if row["wikidata_id"] else None
    data = {}
    if qid:
        data |= {"externalId": qid, "sourceSlug": WIKIDATA}
    data["softwareId"] = software_id
    name = localized(external.get("label_fr"), external.get("label_en"))
    data["name"] = name or row["name"]
    description = localized(
        row["description_fr"] or external.get("description_fr"),
        row["description_en"] or external.get("description_en"),
    )
    if description:
        data["description"] = description
    data["isLibreSoftware"] = True
    optional = {
        "image": image,
        "url": row["website"] or external.get("website"),
        "codeRepositoryUrl": row["source_url"] or external.get("source_repository"),
        "softwareHelp": row["documentation_url"],
        "license": license,
    }
    data |= {key: value for key, value in optional.items() if value}
    if external.get("latest_version"):
        data["latestVersion"] = {"version": external["latest_version"]}
        if release := external.get("release"):
            data["latestVersion"]["releaseDate"] = iso_time(release[1])
    operating_systems, runtime_platforms = platforms(row["platforms"])
    data |= {
        "authors": [],
        "keywords": _strings(row["keywords"]),
        "programmingLanguages": [],
        "applicationCategories": [row["category"]] if row["category"] else [],
        "runtimePlatforms": runtime_platforms,
        "identifiers": identifiers(qid, row),
        "referencePublications": [],
        "providers": [],
    }
    if operating_systems:
        data["operatingSystems"] = operating_systems
    return data


# Catalogi's sources of identifiers (identifiersTools.ts): name and additionalType.
_SOURCES = {
    "framalibre": ("FramaLibre Official instance", "https://framalibre.org/", "FramaLibre"),
    "wikidata": ("Wikidata", "https://www.wikidata.org/", "wikidata"),
    "comptoir": ("Comptoir du libre", "https://comptoir-du-libre.org/", "ComptoirDuLibre"),
}


def _identifier(source: str, value: str, url: str, name: str = "") -> dict:
    site_name, site_url, kind = _SOURCES[source]
    identifier = {"@type": "PropertyValue", "value": value, "url": url}
    if name:
        identifier["name"] = name
    identifier["subjectOf"] = {
        "@type": "Website",
        "name": site_name,
        "url": site_url,
        "additionalType": kind,
    }
    identifier["additionalType"] = "Software"
    return identifier


def identifiers(qid: str | None, row) -> list[dict]:
    """schema.org PropertyValue identifiers, as Catalogi's identifersUtils writes them."""
    found = []
    if row["framalibre_id"]:
        url = f"https://framalibre.org/notices/{row['framalibre_id']}"
        found.append(_identifier("framalibre", row["framalibre_id"], url, "ID on FramaLibre"))
    if qid:
        url = f"https://www.wikidata.org/wiki/{qid}"
        found.append(_identifier("wikidata", qid, url, "ID on Wikidata"))
    if row["comptoir_id"].isdigit():
        url = f"https://comptoir-du-libre.org/fr/softwares/{row['comptoir_id']}"
        found.append(_identifier("comptoir", row["comptoir_id"], url))
    return found
