"""The one boundary for text from outside: requests, forges, Wikidata, imports.

Everything that enters goes through `clean_text` once, so that no stored value can break a
PostgreSQL text column (NUL), an XML feed (control characters), an export or a page; and
every URL from outside goes through `safe_url` before it becomes a link.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from django.utils.text import slugify

# C0 controls except tab, newline and carriage return; DEL; C1 controls. Also the
# non-characters XML 1.0 refuses (U+FFFE, U+FFFF) and lone surrogates, which cannot be
# encoded to UTF-8 at all.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
# A bare host name with an optional port and path: "example.fr/page", "www.a-b.gouv.fr:8080".
_BARE_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::\d{1,5})?(?:[/?#]\S*)?$",
    re.IGNORECASE,
)
SAFE_SCHEMES = ("http", "https")
# Longest value kept when a caller gives no bound: far above any real field.
DEFAULT_MAX_LENGTH = 10_000


def clean_text(value, *, max_length: int | None = DEFAULT_MAX_LENGTH, multiline=True) -> str:
    """`value` as text safe to store and render anywhere.

    NUL and the C0/C1 control characters are removed (tab and newlines kept when
    `multiline`, else every run of white space, line breaks included, becomes one space
    and the ends are trimmed), Unicode is normalised to NFC and the result cut at `max_length`.
    `None` gives "".
    """
    if value is None:
        return ""
    text = str(value)
    text = _CONTROL.sub("", text)
    text = text.replace("\r\n", "\n") if multiline else _SPACES.sub(" ", text).strip()
    text = unicodedata.normalize("NFC", text)
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rstrip() if not multiline else text[:max_length]
    return text


def clean_line(value, *, max_length: int | None = 1000) -> str:
    """One line of text (a name, a search, a filter value): `clean_text` on one line."""
    return clean_text(value, max_length=max_length, multiline=False)


def has_control_characters(value: str) -> bool:
    """True when `value` holds a character `clean_text` would remove (newlines aside)."""
    return bool(_CONTROL.search(value))


def strip_accents(text: str) -> str:
    """``text`` without its diacritics: "données" → "donnees"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def safe_url(value, *, max_length: int = 2000) -> str:
    """An http(s) URL fit for an `href`, or "".

    A scheme-less value that is a plain host name (`example.fr/page`) gets `https://`;
    `javascript:`, `data:`, relative paths, `http:/host` and anything unparsable give "".
    """
    text = clean_line(value, max_length=max_length)
    if not text or " " in text:
        return ""
    if "://" not in text:
        if text.startswith("//") or not _BARE_HOST.match(text):
            return ""
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        return ""
    if "\\" in parts.netloc or "@" in parts.netloc:
        # Credentials or backslashes in the authority only serve to deceive.
        return ""
    return text


def json_safe(value):
    """`value` (parsed JSON) without NUL characters in any string or key: PostgreSQL's
    jsonb refuses \\u0000 and nothing else, so a raw payload keeps all the rest as sent."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    return value


def free_slug(name: str, *, taken_in, max_length: int, fallback: str, reserved=()) -> str:
    """`name`'s slug, with -2, -3… when a row of `taken_in` (a queryset of rows with a
    `slug`) or `reserved` has it; `fallback` when the name gives no slug at all."""
    base = slugify(name)[:max_length].strip("-") or fallback
    taken = set(taken_in.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= set(reserved)
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug
