"""Parse and validate repository metadata files: publiccode.yml and codemeta.json.

Pure functions, no I/O. Each parser returns a ``ParsedMetadata`` whose ``data`` is
JSON-serialisable (ready for a JSONField) and carries a normalised ``"_summary"`` dict.
Errors and warnings are English sentences prefixed with the key they are about.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import yaml

from catalog.licenses import spdx_licensing
from core.text import json_safe

MAX_SIZE = 512 * 1024  # bytes
MAX_NODES = 100_000  # guards against alias expansion ("billion laughs") when converting

SHORT_DESCRIPTION_MAX = 150
LONG_DESCRIPTION_MIN = 150
LONG_DESCRIPTION_MAX = 10_000

PUBLICCODE_VERSION_RE = re.compile(r"^0\.[234](\.\d+)?$")
DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SOFTWARE_TYPES = (
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
)
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
LANGUAGE_CODE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SPDX_URL_RE = re.compile(r"^https?://spdx\.org/licenses/([^/?#]+?)(?:\.html|\.json)?/?$", re.I)


@dataclass(frozen=True)
class ParsedMetadata:
    data: dict | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return self.data is not None and not self.errors


class _TooComplexError(ValueError):
    pass


# --- shared helpers ---------------------------------------------------------------------


def _decode(text: str | bytes, errors: list[str]) -> str | None:
    """Size-check and decode the input; report a problem in ``errors`` and return None."""
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_SIZE:
            errors.append(f"file is too large ({len(text)} bytes, maximum {MAX_SIZE}).")
            return None
        try:
            return bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            errors.append("file is not valid UTF-8 text.")
            return None
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_SIZE:
        errors.append(f"file is too large ({size} bytes, maximum {MAX_SIZE}).")
        return None
    return text.removeprefix("\ufeff")


def _jsonable(value, budget: list[int]):
    """Return a JSON-serialisable copy of a parsed document (dates become ISO strings)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooComplexError
    if isinstance(value, dict):
        return {_json_key(k): _jsonable(v, budget) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, budget) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v, budget) for v in value), key=str)
    if isinstance(value, dt.date):  # includes datetime
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def _json_key(key) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, dt.date):
        return key.isoformat()
    if isinstance(key, bool) or key is None:
        return json.dumps(key)
    return str(key)


def _to_json_document(doc: dict, errors: list[str]) -> dict | None:
    try:
        return _jsonable(doc, [MAX_NODES])
    except (_TooComplexError, RecursionError):
        errors.append(f"document is too complex (more than {MAX_NODES} values once expanded).")
        return None


class _Rejected(Exception):
    """Raised by a loader with the one error that makes a document unusable."""


def _load(text: str | bytes, load) -> tuple[dict | None, list[str]]:
    """(JSON-ready mapping or None, errors): decode `text`, `load` it into a mapping (or
    _Rejected), then copy it as JSON; the steps both metadata formats share."""
    errors: list[str] = []
    source = _decode(text, errors)
    if source is None:
        return None, errors
    try:
        doc = load(source)
    except _Rejected as exc:
        return None, [str(exc)]
    # Stored as jsonb, which refuses NUL (core.text.json_safe).
    return json_safe(_to_json_document(doc, errors)), errors


def _is_http_url(value) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _nonempty_str(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _str_or_none(value) -> str | None:
    return value.strip() if _nonempty_str(value) else None


def check_spdx_expression(expr: str) -> tuple[str | None, str | None, str | None]:
    """Validate an SPDX expression.

    Returns ``(normalised, error, warning)``: ``normalised`` is None when invalid.
    ``LicenseRef-`` identifiers are accepted with a warning.
    """
    expr = expr.strip()
    if not expr:
        return None, "is empty", None
    try:
        info = spdx_licensing().validate(expr)
    except Exception:  # the library raises odd exceptions on some malformed input
        return None, f"“{expr}” is not a valid SPDX license expression", None
    invalid = [s for s in info.invalid_symbols if s]
    refs = [s for s in invalid if re.match(r"^(DocumentRef-[^:]+:)?LicenseRef-[\w.-]+$", s)]
    if invalid and len(refs) == len(invalid) and len(info.errors) <= 1:
        return expr, None, f"uses custom license identifiers ({', '.join(refs)})"
    if info.errors or info.normalized_expression is None:
        detail = "; ".join(info.errors) or "invalid expression"
        return None, f"“{expr}” is not a valid SPDX license expression ({detail})", None
    return str(info.normalized_expression), None, None


# --- publiccode.yml ----------------------------------------------------------------------


def parse_publiccode(text: str | bytes) -> ParsedMetadata:
    """Parse and validate a publiccode.yml document (versions 0.2 to 0.4)."""
    warnings: list[str] = []
    data, errors = _load(text, _load_yaml_mapping)
    if data is None:
        return ParsedMetadata(None, errors, warnings)
    license_norm = _check_publiccode(data, errors, warnings)
    data["_summary"] = _publiccode_summary(data, license_norm)
    return ParsedMetadata(data, errors, warnings)


def _load_yaml_mapping(source: str) -> dict:
    try:
        doc = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise _Rejected(f"not valid YAML: {_yaml_reason(exc)}") from None
    except RecursionError:
        raise _Rejected("not valid YAML: nesting is too deep.") from None
    if doc is None:
        raise _Rejected("file is empty.")
    if not isinstance(doc, dict):
        kind = "a list" if isinstance(doc, list) else "a single value"
        raise _Rejected(f"document must be a YAML mapping, not {kind}.")
    return doc


def _yaml_reason(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    return f"{problem.rstrip('.')}{where}."


def _check_publiccode(data: dict, errors: list[str], warnings: list[str]) -> str | None:
    """Validate ``data`` in place (appending messages); return the normalised license."""

    def require(key: str, value) -> bool:
        if value is None or value == "" or value == [] or value == {}:
            errors.append(f"{key}: missing (this key is required).")
            return False
        return True

    # publiccodeYmlVersion
    version = data.get("publiccodeYmlVersion")
    if require("publiccodeYmlVersion", version):
        if isinstance(version, int | float) and not isinstance(version, bool):
            warnings.append(f"publiccodeYmlVersion: should be a quoted string (“{version}”).")
            version = str(version)
        if not isinstance(version, str):
            errors.append("publiccodeYmlVersion: must be a string such as “0.4”.")
        elif not PUBLICCODE_VERSION_RE.match(version.strip()):
            warnings.append(
                f"publiccodeYmlVersion: unknown version “{version}” "
                "(known versions are 0.2, 0.3 and 0.4)."
            )

    name = data.get("name")
    if require("name", name) and not isinstance(name, str):
        errors.append("name: must be a string.")

    url = data.get("url")
    if require("url", url) and not _is_http_url(url):
        errors.append("url: must be an http or https URL.")
    for key in ("landingURL", "roadmap"):
        if data.get(key) is not None and not _is_http_url(data[key]):
            errors.append(f"{key}: must be an http or https URL.")

    platforms = data.get("platforms")
    if require("platforms", platforms):
        if not isinstance(platforms, list):
            errors.append("platforms: must be a list.")
        elif not all(_nonempty_str(p) for p in platforms):
            errors.append("platforms: every item must be a non-empty string.")

    categories = data.get("categories")
    if categories is not None and not (
        isinstance(categories, list) and all(_nonempty_str(c) for c in categories)
    ):
        errors.append("categories: must be a list of strings.")

    _check_choice(data, "developmentStatus", DEVELOPMENT_STATUSES, errors)
    _check_choice(data, "softwareType", SOFTWARE_TYPES, errors)
    _check_date(data, "releaseDate", "releaseDate", errors)

    _check_descriptions(data.get("description"), errors, warnings)
    license_norm = _check_legal(data.get("legal"), errors, warnings)
    _check_maintenance(data.get("maintenance"), errors)
    _check_localisation(data.get("localisation"), errors)
    return license_norm


def _check_choice(data: dict, key: str, choices: tuple[str, ...], errors: list[str]) -> None:
    value = data.get(key)
    if value is None or value == "":
        errors.append(f"{key}: missing (this key is required).")
    elif value not in choices:
        errors.append(f"{key}: “{value}” is not one of {', '.join(choices)}.")


def _check_date(parent: dict, key: str, path: str, errors: list[str]) -> None:
    """Dates were converted to ISO strings; a timestamp with a time is rejected."""
    value = parent.get(key)
    if value is None:
        return
    valid = isinstance(value, str) and bool(ISO_DATE_RE.match(value))
    if valid:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            valid = False
    if not valid:
        errors.append(f"{path}: must be a date in YYYY-MM-DD format.")


def _check_descriptions(descriptions, errors: list[str], warnings: list[str]) -> None:
    if descriptions is None or descriptions == {}:
        errors.append("description: missing (this key is required).")
        return
    if not isinstance(descriptions, dict):
        errors.append("description: must be a mapping of language codes to descriptions.")
        return
    for lang, desc in descriptions.items():
        path = f"description.{lang}"
        if not LANGUAGE_CODE_RE.match(lang):
            warnings.append(f"{path}: “{lang}” does not look like a language code (e.g. “fr”).")
        if not isinstance(desc, dict):
            errors.append(f"{path}: must be a mapping.")
            continue
        short = desc.get("shortDescription")
        if not _nonempty_str(short):
            errors.append(f"{path}.shortDescription: missing (this key is required).")
        elif len(short.strip()) > SHORT_DESCRIPTION_MAX:
            errors.append(
                f"{path}.shortDescription: longer than {SHORT_DESCRIPTION_MAX} characters."
            )
        long = desc.get("longDescription")
        if not _nonempty_str(long):
            errors.append(f"{path}.longDescription: missing (this key is required).")
        else:
            length = len(long.strip())
            if length < LONG_DESCRIPTION_MIN:
                errors.append(
                    f"{path}.longDescription: shorter than {LONG_DESCRIPTION_MIN} characters."
                )
            elif length > LONG_DESCRIPTION_MAX:
                errors.append(
                    f"{path}.longDescription: longer than {LONG_DESCRIPTION_MAX} characters."
                )
        features = desc.get("features")
        if features is not None and not (
            isinstance(features, list) and all(_nonempty_str(f) for f in features)
        ):
            errors.append(f"{path}.features: must be a list of strings.")


def _check_legal(legal, errors: list[str], warnings: list[str]) -> str | None:
    if legal is None:
        errors.append("legal.license: missing (this key is required).")
        return None
    if not isinstance(legal, dict):
        errors.append("legal: must be a mapping.")
        return None
    license_ = legal.get("license")
    if license_ is None or license_ == "":
        errors.append("legal.license: missing (this key is required).")
        return None
    if not isinstance(license_, str):
        errors.append("legal.license: must be a string (an SPDX license expression).")
        return None
    normalised, error, warning = check_spdx_expression(license_)
    if error:
        errors.append(f"legal.license: {error}.")
    if warning:
        warnings.append(f"legal.license: {warning}.")
    return normalised


def _check_maintenance(maintenance, errors: list[str]) -> None:
    if maintenance is None:
        errors.append("maintenance.type: missing (this key is required).")
        return
    if not isinstance(maintenance, dict):
        errors.append("maintenance: must be a mapping.")
        return
    mtype = maintenance.get("type")
    if mtype is None or mtype == "":
        errors.append("maintenance.type: missing (this key is required).")
    elif mtype not in MAINTENANCE_TYPES:
        errors.append(f"maintenance.type: “{mtype}” is not one of {', '.join(MAINTENANCE_TYPES)}.")

    contacts = maintenance.get("contacts")
    if contacts is None or contacts == []:
        if mtype in ("internal", "community"):
            errors.append(f"maintenance.contacts: required when maintenance.type is {mtype}.")
    elif not isinstance(contacts, list):
        errors.append("maintenance.contacts: must be a list.")
    else:
        for i, contact in enumerate(contacts):
            if not isinstance(contact, dict) or not _nonempty_str(contact.get("name")):
                errors.append(f"maintenance.contacts[{i}].name: missing (this key is required).")

    contractors = maintenance.get("contractors")
    if contractors is None or contractors == []:
        if mtype == "contract":
            errors.append("maintenance.contractors: required when maintenance.type is contract.")
    elif not isinstance(contractors, list):
        errors.append("maintenance.contractors: must be a list.")
    else:
        for i, contractor in enumerate(contractors):
            path = f"maintenance.contractors[{i}]"
            if not isinstance(contractor, dict):
                errors.append(f"{path}: must be a mapping.")
                continue
            if not _nonempty_str(contractor.get("name")):
                errors.append(f"{path}.name: missing (this key is required).")
            _check_date(contractor, "until", f"{path}.until", errors)


def _check_localisation(localisation, errors: list[str]) -> None:
    if localisation is None:
        errors.append("localisation: missing (this key is required).")
        return
    if not isinstance(localisation, dict):
        errors.append("localisation: must be a mapping.")
        return
    ready = localisation.get("localisationReady")
    if ready is None:
        errors.append("localisation.localisationReady: missing (this key is required).")
    elif not isinstance(ready, bool):
        errors.append("localisation.localisationReady: must be true or false.")
    languages = localisation.get("availableLanguages")
    if languages is None or languages == []:
        errors.append("localisation.availableLanguages: missing (this key is required).")
    elif not (isinstance(languages, list) and all(_nonempty_str(x) for x in languages)):
        errors.append("localisation.availableLanguages: must be a list of language codes.")


def pick_language(descriptions: dict) -> dict | None:
    """French description if any, else English, else the first one."""
    candidates = {k: v for k, v in descriptions.items() if isinstance(v, dict)}
    for wanted in ("fr", "en"):
        for lang, desc in candidates.items():
            if lang.lower() == wanted or lang.lower().startswith(f"{wanted}-"):
                return desc
    return next(iter(candidates.values()), None)


def _publiccode_summary(data: dict, license_norm: str | None) -> dict:
    descriptions = data.get("description")
    desc = pick_language(descriptions) if isinstance(descriptions, dict) else None
    legal = data.get("legal") if isinstance(data.get("legal"), dict) else {}
    localisation = data.get("localisation")
    languages = localisation.get("availableLanguages") if isinstance(localisation, dict) else None
    dev_status = data.get("developmentStatus")
    soft_type = data.get("softwareType")
    return {
        "name": _str_or_none(data.get("name")),
        "url": _str_or_none(data.get("url")),
        "license": license_norm or _str_or_none(legal.get("license")),
        "development_status": dev_status if dev_status in DEVELOPMENT_STATUSES else None,
        "software_type": soft_type if soft_type in SOFTWARE_TYPES else None,
        "short_description": _str_or_none(desc.get("shortDescription")) if desc else None,
        "languages": [x.strip() for x in languages if _nonempty_str(x)]
        if isinstance(languages, list)
        else [],
    }


# --- codemeta.json -----------------------------------------------------------------------


def parse_codemeta(text: str | bytes) -> ParsedMetadata:
    """Parse and validate a codemeta.json document (lenient: only ``name`` is required)."""
    warnings: list[str] = []
    data, errors = _load(text, _load_json_object)
    if data is None:
        return ParsedMetadata(None, errors, warnings)

    context = data.get("@context")
    if context is None:
        warnings.append("@context: missing; expected the CodeMeta context.")
    elif "codemeta" not in json.dumps(context).lower():
        warnings.append("@context: does not mention CodeMeta.")

    name = data.get("name")
    if name is None or name == "":
        errors.append("name: missing (this key is required).")
    elif not isinstance(name, str):
        errors.append("name: must be a string.")

    license_ = _codemeta_license(data.get("license"), warnings)
    for key in ("codeRepository", "url"):
        if data.get(key) is not None and not _is_http_url(data[key]):
            warnings.append(f"{key}: is not an http or https URL.")

    version = data.get("version", data.get("softwareVersion"))
    if isinstance(version, bool) or not isinstance(version, str | int | float):
        version = None
    data["_summary"] = {
        "name": _str_or_none(name),
        "description": _str_or_none(data.get("description")),
        "license": license_,
        "version": None if version is None else (str(version).strip() or None),
        "code_repository": _str_or_none(data.get("codeRepository")),
        "programming_languages": _names(data.get("programmingLanguage")),
        "authors": _names(data.get("author")),
    }
    return ParsedMetadata(data, errors, warnings)


def _load_json_object(source: str) -> dict:
    try:
        doc = json.loads(source)
    except json.JSONDecodeError as exc:
        raise _Rejected(f"not valid JSON: {exc.msg} (line {exc.lineno}).") from None
    except (ValueError, RecursionError) as exc:
        reason = "nesting is too deep" if isinstance(exc, RecursionError) else str(exc)
        raise _Rejected(f"not valid JSON: {reason.rstrip('.')}.") from None
    if not isinstance(doc, dict):
        raise _Rejected("document must be a JSON object.")
    return doc


def _as_list(value) -> list:
    if isinstance(value, dict) and isinstance(value.get("@list"), list):
        return value["@list"]
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _names(value) -> list[str]:
    """Names from strings, schema.org Person/Organization/ComputerLanguage objects."""
    names: list[str] = []
    for item in _as_list(value):
        if isinstance(item, str):
            name = item.strip()
        elif isinstance(item, dict):
            name = _str_or_none(item.get("name")) or " ".join(
                part.strip()
                for part in (item.get("givenName"), item.get("familyName"))
                if _nonempty_str(part)
            )
        else:
            continue
        if name and name not in names:
            names.append(name)
    return names


def _license_id(item) -> str | None:
    if isinstance(item, dict):
        for key in ("identifier", "@id", "url", "name"):
            if _nonempty_str(item.get(key)):
                item = item[key]
                break
        else:
            return None
    if not _nonempty_str(item):
        return None
    item = item.strip()
    match = SPDX_URL_RE.match(item)
    return match.group(1) if match else item


def _codemeta_license(value, warnings: list[str]) -> str | None:
    """Normalise ``license`` (id, SPDX URL, object or list) to one SPDX expression."""
    if value is None:
        warnings.append("license: missing.")
        return None
    ids = []
    for item in _as_list(value):
        license_id = _license_id(item)
        if license_id is None:
            warnings.append("license: an entry is neither an SPDX identifier nor an SPDX URL.")
            continue
        normalised, error, _ = check_spdx_expression(license_id)
        if error:
            warnings.append(f"license: {error}.")
        ids.append(normalised or license_id)
    if not ids:
        return None
    if len(ids) == 1:
        return ids[0]
    return " AND ".join(f"({i})" if " " in i else i for i in dict.fromkeys(ids))
