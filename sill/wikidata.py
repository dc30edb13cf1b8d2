"""Enrich SILL software from Wikidata, keeping where each value comes from.

`refresh_software()` reads the items named by `Software.wikidata_id` through the
`wbgetentities` API (50 ids a request), keeps a few values (`extract()`) and upserts one
`ExternalValue(source="wikidata")` per software and field, with the fetch date. It never
writes to the `Software` row: what an editor typed there wins on the page
(`effective_value()`). It never deletes nor blanks a stored value either: a batch that
fails, an item gone missing or a statement removed from Wikidata leave the previous
values as they were, their older `fetched_at` telling how fresh they are.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.http import ForgeError, ForgeHTTP, RateLimited
from core.text import clean_line, safe_url
from sill.models import ExternalValue, Software
from sill.versioning import sill_changed

logger = logging.getLogger(__name__)

WIKIDATA_API = "https://www.wikidata.org/w/api.php"
USER_AGENT = "codegouv-sill-enrichment (+https://code.gouv.fr)"
SOURCE = "wikidata"
BATCH_SIZE = 50  # wbgetentities refuses more ids per request (anonymous clients)
LANGUAGES = ("fr", "en")
SITES = {"frwiki": "fr", "enwiki": "en"}

# Timeouts and retries of a refresh; transient errors (network, 429, 5xx) back off
# exponentially (1, 2, 4 s), a Retry-After longer than two minutes stops the run.
HTTP_OPTIONS = {
    "connect_timeout": 5,
    "read_timeout": 30,
    "max_retries": 3,
    "backoff": 1.0,
    "max_backoff": 30,
    "max_rate_limit_wait": 120,
}

# Properties read on an item.
P_LOGO = "P154"  # logo image (a Commons file name)
P_WEBSITE = "P856"  # official website
P_SOURCE = "P1324"  # source code repository URL
P_LICENSE = "P275"  # copyright license (an item)
P_VERSION = "P348"  # software version identifier
P_PUBLICATION_DATE = "P577"  # publication date, a qualifier of versions

# Licence items whose SPDX id is certain (each checked against several independent
# mappings). Any other licence is kept as "wikidata:Q…", never guessed: Q7603 is the GPL
# family without a version, Q27017232 (AGPL 3.0) and the CeCILL items are modelled
# differently from one mapping to the next.
SPDX_BY_QID = {
    "Q334661": "MIT",
    "Q13785927": "Apache-2.0",
    "Q10513450": "GPL-2.0-only",
    "Q27016752": "GPL-2.0-or-later",
    "Q10513445": "GPL-3.0-only",
    "Q27016754": "GPL-3.0-or-later",
    "Q27020062": "AGPL-3.0-or-later",
    "Q18534390": "LGPL-2.1-only",
    "Q27016757": "LGPL-2.1-or-later",
    "Q18534393": "LGPL-3.0-only",
    "Q27016762": "LGPL-3.0-or-later",
    "Q25428413": "MPL-2.0",
    "Q123162019": "EUPL-1.2",
    "Q18517294": "BSD-2-Clause",
    "Q18491847": "BSD-3-Clause",
    "Q55633295": "EPL-2.0",
    "Q386474": "ISC",
    "Q6938433": "CC0-1.0",
    "Q21659044": "Unlicense",
}

# The values kept from an item (the `field` of ExternalValue rows).
FIELDS = (
    "label_fr",
    "label_en",
    "description_fr",
    "description_en",
    "logo",
    "website",
    "source_repository",
    "license",
    "latest_version",
    # Its publication date: stored with it in the same refresh (the same fetched_at).
    "latest_version_date",
    "wikipedia_fr",
    "wikipedia_en",
)
# Fetched field -> the Software field an editor may fill, which then wins.
ROW_FIELDS = {
    "description_fr": "description_fr",
    "description_en": "description_en",
    "logo": "logo_url",
    "website": "website",
    "source_repository": "source_url",
    "license": "license",
}
_FETCHED_BY_ROW_FIELD = {row: fetched for fetched, row in ROW_FIELDS.items()}

_QID = re.compile(
    r"\s*(?:https?://(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/|wd:)?([Qq][1-9][0-9]*)/?\s*"
)
_TIME = re.compile(r"([+-])(\d+)-(\d\d)-(\d\d)T")
_ABSENT = object()


def api_url() -> str:
    return getattr(settings, "WIKIDATA_API_URL", "") or WIKIDATA_API


def normalize_qid(raw: str) -> str | None:
    """ "Q42" from "Q42", "q42", "wd:Q42" or an item's URL; None when it is not an item id."""
    match = _QID.fullmatch(raw or "")
    return match.group(1).upper() if match else None


def build_http(**options) -> ForgeHTTP:
    """A ForgeHTTP with our User-Agent (Wikimedia asks for a descriptive one) and limits."""
    http = ForgeHTTP(**(HTTP_OPTIONS | options))
    http.session.headers["User-Agent"] = USER_AGENT
    return http


# --- Fetching -----------------------------------------------------------------------------


class Entities(dict):
    """Entities by requested id (missing ones left out); `errors`: one line per failed batch,
    `failed_ids`: the ids those batches asked for."""

    def __init__(self):
        super().__init__()
        self.errors: list[str] = []
        self.failed_ids: set[str] = set()


@dataclass
class Batch:
    ids: list[str]
    entities: dict[str, dict] = field(default_factory=dict)
    error: str = ""


def _chunks(ids: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _answer_entities(payload: Any, ids: list[str]) -> dict[str, dict]:
    """The entities of a wbgetentities answer by requested id, without missing ones."""
    if not isinstance(payload, dict):
        raise ForgeError("Wikidata answered something else than a JSON object")
    if "error" in payload:
        error = payload["error"] if isinstance(payload["error"], dict) else {}
        code = error.get("code", "error")
        raise ForgeError(f"Wikidata API error {code}: {error.get('info', '')}".strip())
    answer = payload.get("entities")
    if not isinstance(answer, dict):
        raise ForgeError("Wikidata answered without entities")
    wanted = set(ids)
    found: dict[str, dict] = {}
    for key, entity in answer.items():
        if not isinstance(entity, dict) or "missing" in entity:
            continue
        redirect = entity.get("redirects") if isinstance(entity.get("redirects"), dict) else {}
        # A redirected id is answered under the id asked for or its target: keep the former.
        for asked in (key, entity.get("id"), redirect.get("from")):
            if asked in wanted:
                found[asked] = entity
    return found


def fetch_batches(
    ids: Iterable[str], *, http: ForgeHTTP, url: str | None = None
) -> Iterator[Batch]:
    """Fetch the items by batches of 50 ids, one Batch each, in order.

    Transient errors are retried by `http`; a batch that still fails carries its `error`
    and the next batches are tried. A rate limit we will not wait for fails every batch
    left without asking Wikidata again.
    """
    wanted = list(dict.fromkeys(ids))
    url = url or api_url()
    rate_limited = ""
    for chunk in _chunks(wanted, BATCH_SIZE):
        if rate_limited:
            yield Batch(chunk, error=rate_limited)
            continue
        params = {
            "action": "wbgetentities",
            "ids": "|".join(chunk),
            "props": "labels|descriptions|claims|sitelinks",
            "languages": "|".join(LANGUAGES),
            "sitefilter": "|".join(SITES),
            "format": "json",
        }
        try:
            entities = _answer_entities(http.get(url, params=params).json(), chunk)
        except RateLimited as exc:
            rate_limited = f"Wikidata rate limit: {exc}"
            yield Batch(chunk, error=rate_limited)
        except ForgeError as exc:
            yield Batch(chunk, error=f"{chunk[0]}…{chunk[-1]} ({len(chunk)} ids): {exc}")
        else:
            yield Batch(chunk, entities)


def fetch_entities(
    ids: Iterable[str], *, http: ForgeHTTP | None = None, url: str | None = None
) -> Entities:
    """The items named by `ids` ("Q42", …), by id: see `fetch_batches` and `Entities`.

    Ids that are not item ids are skipped and reported in `errors`.
    """
    result = Entities()
    valid = []
    for raw in ids:
        qid = normalize_qid(raw)
        if qid is None:
            result.errors.append(f"{raw!r} is not a Wikidata item id")
        else:
            valid.append(qid)
    own_http = http is None
    http = http or build_http()
    try:
        for batch in fetch_batches(valid, http=http, url=url):
            if batch.error:
                result.errors.append(batch.error)
                result.failed_ids.update(batch.ids)
            result.update(batch.entities)
    finally:
        if own_http:
            http.close()
    return result


# --- Extraction ---------------------------------------------------------------------------


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _snak_value(snak: Any) -> Any:
    snak = _mapping(snak)
    if snak.get("snaktype", "value") != "value":
        return None  # "novalue" / "somevalue"
    return _mapping(snak.get("datavalue")).get("value")


def _best_statements(entity: dict, prop: str) -> list[dict]:
    """Statements with a value, not deprecated; only the preferred ones when there are."""
    statements = _mapping(entity.get("claims")).get(prop)
    if not isinstance(statements, list):
        return []
    usable = [
        statement
        for statement in statements
        if isinstance(statement, dict)
        and statement.get("rank") != "deprecated"
        and _snak_value(statement.get("mainsnak")) is not None
    ]
    preferred = [statement for statement in usable if statement.get("rank") == "preferred"]
    return preferred or usable


def _first_string(entity: dict, prop: str) -> str | None:
    for statement in _best_statements(entity, prop):
        value = _snak_value(statement["mainsnak"])
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _term(entity: dict, kind: str, language: str) -> str | None:
    value = _mapping(_mapping(entity.get(kind)).get(language)).get("value")
    return (value.strip() or None) if isinstance(value, str) else None


def commons_file_url(file_name: str) -> str:
    """The Commons URL that redirects to a file (Special:FilePath), spaces as underscores."""
    name = file_name.strip().removeprefix("File:").replace(" ", "_")
    return "https://commons.wikimedia.org/wiki/Special:FilePath/" + quote(
        name, safe="!$&'()*+,;=:@-._~"
    )


def license_id(qid: str) -> str:
    """The SPDX id of a licence item we are sure of, else "wikidata:Q…"."""
    return SPDX_BY_QID.get(qid) or f"wikidata:{qid}"


def _license(entity: dict) -> str | None:
    for statement in _best_statements(entity, P_LICENSE):
        value = _snak_value(statement["mainsnak"])
        if isinstance(value, dict):
            qid = value.get("id") or (
                f"Q{value['numeric-id']}" if value.get("numeric-id") is not None else None
            )
            if qid:
                return license_id(qid)
    return None


def _publication_date(statement: dict) -> tuple[int, int, int] | None:
    """(year, month, day) of the first P577 qualifier; month/day are 0 when imprecise."""
    for snak in _mapping(statement.get("qualifiers")).get(P_PUBLICATION_DATE) or []:
        time = _mapping(_snak_value(snak)).get("time")
        match = _TIME.match(time) if isinstance(time, str) else None
        if match:
            sign, year, month, day = match.groups()
            return (-int(year) if sign == "-" else int(year), int(month), int(day))
    return None


def _latest_statement(entity: dict) -> dict | None:
    """The preferred version, else the most recent by publication date, else the last one."""
    candidates = [
        statement
        for statement in _best_statements(entity, P_VERSION)
        if isinstance(_snak_value(statement["mainsnak"]), str)
    ]
    if not candidates:
        return None
    dated = [
        (date, statement) for statement in candidates if (date := _publication_date(statement))
    ]
    # max() keeps the first of equal dates: reversed, a tie goes to the later statement.
    return max(reversed(dated), key=lambda pair: pair[0])[1] if dated else candidates[-1]


def _latest_version(entity: dict) -> str | None:
    statement = _latest_statement(entity)
    return (_snak_value(statement["mainsnak"]).strip() or None) if statement else None


def _latest_version_date(entity: dict) -> str | None:
    """The publication date of that version, "YYYY-MM-DD" (the 1st for a month or a year
    only), or None when Wikidata gives none."""
    statement = _latest_statement(entity)
    date = _publication_date(statement) if statement else None
    if date is None or not 1 <= date[0] <= 9999:
        return None
    year, month, day = date
    return f"{year:04d}-{max(month, 1):02d}-{max(day, 1):02d}"


def _wikipedia(entity: dict, site: str) -> str | None:
    title = _mapping(_mapping(entity.get("sitelinks")).get(site)).get("title")
    if not isinstance(title, str) or not title.strip():
        return None
    language = SITES[site]
    page = quote(title.strip().replace(" ", "_"), safe="!$&'()*+,;=:@-._~/")
    return f"https://{language}.wikipedia.org/wiki/{page}"


# Values that become links: kept only as http(s) URLs (core.text.safe_url).
URL_FIELDS = ("logo", "website", "source_repository", "wikipedia_fr", "wikipedia_en")


def extract(entity: dict) -> dict[str, str | None]:
    """The values we keep from a wbgetentities entity, by FIELDS name (None when absent),
    through the text boundary (core.text)."""
    values = _extract(entity)
    for name, value in values.items():
        if value is not None:
            value = safe_url(value) if name in URL_FIELDS else clean_line(value)
            values[name] = value or None
    return values


def _extract(entity: dict) -> dict[str, str | None]:
    entity = _mapping(entity)
    logo = _first_string(entity, P_LOGO)
    return {
        "label_fr": _term(entity, "labels", "fr"),
        "label_en": _term(entity, "labels", "en"),
        "description_fr": _term(entity, "descriptions", "fr"),
        "description_en": _term(entity, "descriptions", "en"),
        "logo": commons_file_url(logo) if logo else None,
        "website": _first_string(entity, P_WEBSITE),
        "source_repository": _first_string(entity, P_SOURCE),
        "license": _license(entity),
        "latest_version": _latest_version(entity),
        "latest_version_date": _latest_version_date(entity),
        "wikipedia_fr": _wikipedia(entity, "frwiki"),
        "wikipedia_en": _wikipedia(entity, "enwiki"),
    }


# --- Storing ------------------------------------------------------------------------------


@dataclass
class RefreshReport:
    """Software ids by outcome, and one line per failure (failed batch, invalid id)."""

    updated: list[int] = field(default_factory=list)  # a value was added or changed
    unchanged: list[int] = field(default_factory=list)  # fetched, same values
    missing: list[int] = field(default_factory=list)  # the item does not exist (any more)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.missing)} missing, {len(self.errors)} errors"
        )


def _store(
    batch: Batch, software_by_qid: Mapping[str, list[int]], now: datetime, report: RefreshReport
):
    """Upsert the values of one fetched batch; values absent from an item are kept."""
    software_ids = [pk for qid in batch.ids for pk in software_by_qid[qid]]
    stored = {
        (software_id, name): value
        for software_id, name, value in ExternalValue.objects.filter(
            software_id__in=software_ids, source=SOURCE
        ).values_list("software_id", "field", "value")
    }
    rows = []
    for qid in batch.ids:
        entity = batch.entities.get(qid)
        if entity is None:
            report.missing.extend(software_by_qid[qid])
            continue
        values = {name: value for name, value in extract(entity).items() if value is not None}
        for software_id in software_by_qid[qid]:
            changed = any(
                stored.get((software_id, name), _ABSENT) != value for name, value in values.items()
            )
            (report.updated if changed else report.unchanged).append(software_id)
            rows.extend(
                ExternalValue(
                    software_id=software_id, source=SOURCE, field=name, value=value, fetched_at=now
                )
                for name, value in values.items()
            )
    if rows:
        ExternalValue.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["software", "source", "field"],
            update_fields=["value", "fetched_at"],
        )
        # A bulk write sends no signal: the Catalogi-format document is stale.
        sill_changed()


def refresh_software(
    *,
    software_ids: Iterable[int] | None = None,
    http: ForgeHTTP | None = None,
    now: datetime | None = None,
) -> RefreshReport:
    """Fetch the Wikidata items of the software that name one (or only `software_ids`).

    Each batch is stored in its own transaction as soon as it is fetched, so a run cut
    short (time limit) keeps what it got. `http` defaults to `build_http()`.
    """
    report = RefreshReport()
    now = now or timezone.now()
    queryset = Software.objects.exclude(wikidata_id="")
    if software_ids is not None:
        queryset = queryset.filter(pk__in=list(software_ids))
    software_by_qid: dict[str, list[int]] = defaultdict(list)
    for pk, slug, raw in queryset.order_by("pk").values_list("pk", "slug", "wikidata_id"):
        qid = normalize_qid(raw)
        if qid is None:
            report.errors.append(f"{slug}: {raw!r} is not a Wikidata item id")
        else:
            software_by_qid[qid].append(pk)
    own_http = http is None
    http = http or build_http()
    try:
        for batch in fetch_batches(list(software_by_qid), http=http):
            if batch.error:
                logger.warning("Wikidata refresh: %s", batch.error)
                report.errors.append(batch.error)
                continue
            with transaction.atomic():
                _store(batch, software_by_qid, now, report)
    finally:
        if own_http:
            http.close()
    logger.info("Wikidata refresh: %s", report.summary())
    return report


# --- Reading ------------------------------------------------------------------------------


def _fetched_values(external_values: Mapping[str, Any] | Iterable[ExternalValue]) -> Mapping:
    if isinstance(external_values, Mapping):
        return external_values
    return {value.field: value.value for value in external_values if value.source == SOURCE}


def effective_value(
    software: Software,
    field: str,
    external_values: Mapping[str, Any] | Iterable[ExternalValue] | None = None,
) -> tuple[Any, str | None]:
    """(value, source) to show for `field`: the row's own value ("sill") when set, else the
    value fetched from Wikidata ("wikidata"), else (None, None).

    `field` is a FIELDS name ("logo") or the Software field it fills ("logo_url").
    `external_values`: the software's ExternalValue rows (prefetch
    `external_values` for listings) or a {field: value} dict of Wikidata values; None reads
    `software.external_values.all()`.
    """
    fetched_name = _FETCHED_BY_ROW_FIELD.get(field, field)
    if fetched_name not in FIELDS:
        raise ValueError(f"unknown Wikidata field {field!r}")
    row_field = ROW_FIELDS.get(fetched_name)
    if row_field:
        own = getattr(software, row_field)
        if own is not None and (not isinstance(own, str) or own.strip()):
            return own, "sill"
    if external_values is None:
        external_values = software.external_values.all()
    fetched = _fetched_values(external_values).get(fetched_name)
    if fetched not in (None, ""):
        return fetched, SOURCE
    return None, None
