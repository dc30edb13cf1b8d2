"""Wikidata entity JSON as `wbgetentities` serialises it, built from a few keyword arguments."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from typing import Any

GREGORIAN = "http://www.wikidata.org/entity/Q1985727"

# Datatypes of the properties the builders know.
DATATYPES = {
    "P154": "commonsMedia",  # logo image
    "P856": "url",  # official website
    "P1324": "url",  # source code repository URL
    "P275": "wikibase-item",  # copyright license
    "P348": "string",  # software version identifier
    "P577": "time",  # publication date
}

RANKS = ("preferred", "normal", "deprecated")

# A value, or (value, rank), or a list of those.
Values = str | tuple[str, str] | Iterable[str | tuple[str, str]] | None


def _hash(*parts: Any) -> str:
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()


def time_value(date: str) -> dict:
    """ "2023-01-31" (day), "2023-01" (month) or "2023" (year) as a Wikibase time value."""
    parts = date.split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else 0
    day = int(parts[2]) if len(parts) > 2 else 0
    precision = {1: 9, 2: 10, 3: 11}[len(parts)]
    return {
        "time": f"+{year:04d}-{month:02d}-{day:02d}T00:00:00Z",
        "timezone": 0,
        "before": 0,
        "after": 0,
        "precision": precision,
        "calendarmodel": GREGORIAN,
    }


def snak(prop: str, value: Any, *, snaktype: str = "value") -> dict:
    """A snak; `value` is a string, "Q…" for an item, or a time value dict."""
    datatype = DATATYPES.get(prop, "string")
    result: dict[str, Any] = {
        "snaktype": snaktype,
        "property": prop,
        "hash": _hash(prop, value, snaktype),
        "datatype": datatype,
    }
    if snaktype != "value":
        return result
    if datatype == "wikibase-item":
        datavalue = {
            "value": {"entity-type": "item", "numeric-id": int(value[1:]), "id": value},
            "type": "wikibase-entityid",
        }
    elif datatype == "time":
        datavalue = {"value": value, "type": "time"}
    else:
        datavalue = {"value": value, "type": "string"}
    result["datavalue"] = datavalue
    return result


def statement(
    qid: str,
    prop: str,
    value: Any,
    *,
    rank: str = "normal",
    qualifiers: dict[str, list[dict]] | None = None,
    snaktype: str = "value",
) -> dict:
    if rank not in RANKS:
        raise ValueError(f"rank must be one of {RANKS}, not {rank!r}")
    result: dict[str, Any] = {
        "mainsnak": snak(prop, value, snaktype=snaktype),
        "type": "statement",
        "id": f"{qid}${str(uuid.uuid4()).upper()}",
        "rank": rank,
    }
    if qualifiers:
        result["qualifiers"] = qualifiers
        result["qualifiers-order"] = list(qualifiers)
    result["references"] = [
        {
            "hash": _hash("ref", qid, prop, value),
            "snaks": {"P854": [snak("P854", "https://example.org/source")]},
            "snaks-order": ["P854"],
        }
    ]
    return result


def _values(values: Values) -> list[tuple[str, str]]:
    if values is None:
        return []
    if isinstance(values, str):
        return [(values, "normal")]
    if isinstance(values, tuple) and len(values) == 2 and values[1] in RANKS:
        return [(values[0], values[1])]
    return [(value, "normal") if isinstance(value, str) else tuple(value) for value in values]


def version_statement(qid: str, version: Any) -> dict:
    """`version`: "1.2", or (version, date or None[, rank])."""
    if isinstance(version, str):
        version = (version,)
    number, date, rank = (*version, None, None)[:3]
    qualifiers = {"P577": [snak("P577", time_value(date))]} if date else None
    return statement(qid, "P348", number, rank=rank or "normal", qualifiers=qualifiers)


def build_entity(
    qid: str,
    *,
    label_fr: str | None = None,
    label_en: str | None = None,
    description_fr: str | None = None,
    description_en: str | None = None,
    website: Values = None,
    logo: Values = None,
    license_qid: Values = None,
    versions: Iterable[Any] = (),
    source: Values = None,
    wikipedia_fr: str | None = None,
    wikipedia_en: str | None = None,
    claims: dict[str, list[dict]] | None = None,
    labels: dict[str, str] | None = None,
    descriptions: dict[str, str] | None = None,
    revision: int = 1,
) -> dict:
    """A full item (all languages, all props), as stored; the server filters it per request.

    `website`, `logo` (a Commons file name), `license_qid`, `source`: a value, a
    (value, rank) pair or a list of those. `versions`: "1.2" or ("1.2", "2023-01-01",
    "preferred") items, in statement order. `claims`: more statements by property (merged
    after the ones above); `labels`/`descriptions`: more languages ({"de": "…"}).
    """
    label_map = {"fr": label_fr, "en": label_en} | (labels or {})
    description_map = {"fr": description_fr, "en": description_en} | (descriptions or {})
    all_claims: dict[str, list[dict]] = {}
    for prop, values in (
        ("P154", logo),
        ("P856", website),
        ("P1324", source),
        ("P275", license_qid),
    ):
        for value, rank in _values(values):
            all_claims.setdefault(prop, []).append(statement(qid, prop, value, rank=rank))
    for version in versions:
        all_claims.setdefault("P348", []).append(version_statement(qid, version))
    for prop, statements in (claims or {}).items():
        all_claims.setdefault(prop, []).extend(statements)
    sitelinks = {
        site: {"site": site, "title": title, "badges": []}
        for site, title in (("frwiki", wikipedia_fr), ("enwiki", wikipedia_en))
        if title
    }
    numeric = int(qid[1:])
    return {
        "pageid": numeric + 1000,
        "ns": 0,
        "title": qid,
        "lastrevid": 2_000_000_000 + revision,
        "modified": "2024-05-01T12:00:00Z",
        "type": "item",
        "id": qid,
        "labels": {
            lang: {"language": lang, "value": text} for lang, text in label_map.items() if text
        },
        "descriptions": {
            lang: {"language": lang, "value": text}
            for lang, text in description_map.items()
            if text
        },
        "aliases": {},
        "claims": all_claims,
        "sitelinks": sitelinks,
    }


INFO_KEYS = ("pageid", "ns", "title", "lastrevid", "modified")
DEFAULT_PROPS = ("info", "sitelinks", "aliases", "labels", "descriptions", "claims", "datatype")


def serialise(
    entity: dict,
    *,
    props: Iterable[str],
    languages: set[str] | None,
    sites: set[str] | None,
) -> dict:
    """What wbgetentities returns of a stored entity for these props/languages/sitefilter."""
    props = set(props)
    result: dict[str, Any] = {}
    if "info" in props:
        result.update({key: entity[key] for key in INFO_KEYS if key in entity})
    result["type"] = entity["type"]
    result["id"] = entity["id"]
    for kind in ("labels", "descriptions", "aliases"):
        if kind in props:
            terms = entity.get(kind, {})
            result[kind] = {
                lang: term for lang, term in terms.items() if languages is None or lang in languages
            }
    if "claims" in props:
        result["claims"] = entity.get("claims", {})
    if "sitelinks" in props or "sitelinks/urls" in props:
        links = {}
        for site, link in entity.get("sitelinks", {}).items():
            if sites is not None and site not in sites:
                continue
            link = dict(link)
            if "sitelinks/urls" in props:
                lang = site.removesuffix("wiki")
                link["url"] = f"https://{lang}.wikipedia.org/wiki/" + link["title"].replace(
                    " ", "_"
                )
            links[site] = link
        result["sitelinks"] = links
    return result
