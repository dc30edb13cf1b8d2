"""reverse() for pages and exports that build one address per row.

`reverse()` costs about 0.1 ms a call (it walks the URL patterns, i18n prefix included): a
hundred thousand rows would spend ten seconds there. `reverser()` calls it once, with
placeholder arguments, and returns a function that fills the real ones in the way
reverse() does, so its results are the same as reverse()'s under the active language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.translation import get_language

# What reverse() leaves unquoted in an argument (django.urls.resolvers: RFC 3986
# sub-delimiters and /~:@).
PATH_SAFE = "!$&'()*+,;=/~:@"
# Stands for argument i: matches the str, path and slug converters, needs no quoting and
# never occurs in a URL pattern.
_PLACEHOLDER = "zq{}placeholderqz"


def reverser(viewname: str, *, arity: int) -> Callable[..., str]:
    """A function of `arity` str arguments giving reverse(viewname, args=[…]).

    For URL patterns whose arguments are str, path or slug converters only."""
    placeholders = [_PLACEHOLDER.format(index) for index in range(arity)]
    pattern = reverse(viewname, args=placeholders)
    parts, rest = [], pattern
    for placeholder in placeholders:
        before, found, rest = rest.partition(placeholder)
        if not found:  # pragma: no cover - a pattern that reorders or drops an argument
            raise ValueError(f"{viewname} does not take {arity} positional arguments")
        parts.append(before)
    parts.append(rest)

    def build(*args) -> str:
        pieces = [parts[0]]
        for value, literal in zip(args, parts[1:], strict=True):
            pieces.append(quote(str(value), safe=PATH_SAFE))
            pieces.append(literal)
        return "".join(pieces)

    return build


def cached_reverse(viewname: str, *args: str, language: str | None = None) -> str:
    """reverse(viewname, args=args) in `language` (else the active one), for str, path or
    slug arguments, through a reverser() kept per URL name, language, script prefix and
    URLconf: a listing's twenty cards and an API page's thousand rows each link their page
    (~70 µs a reverse()). An empty argument goes to reverse(), which refuses it, rather
    than making an address with an empty segment."""
    language = language or get_language()
    if not all(args):
        with translation.override(language):
            return reverse(viewname, args=args)
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _kept_reverser(viewname, len(args), language, get_script_prefix(), urlconf)(*args)


@lru_cache(maxsize=256)
def _kept_reverser(viewname, arity, language, script_prefix, urlconf) -> Callable[..., str]:
    with translation.override(language):
        return reverser(viewname, arity=arity)


@receiver(setting_changed)
def forget_reversers(**kwargs) -> None:
    """A test's other URL patterns or languages reverse afresh."""
    _kept_reverser.cache_clear()
