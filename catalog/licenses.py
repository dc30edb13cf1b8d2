"""Normalise the licence a code forge reports for a repository into SPDX.

Forges describe licences in several vocabularies: GitHub and GitLab (both via the
``licensee`` gem) give a full name ("GNU Affero General Public License v3.0"), a
lowercase key ("agpl-3.0") and sometimes a nickname ("GNU AGPLv3"); Gitea gives SPDX
ids. ``normalize_license`` turns all of them into one canonical SPDX identifier or
expression, and ``NOASSERTION`` when the licence cannot be identified.

SPDX ids and expressions are parsed by the ``license-expression`` library, which
knows the whole SPDX list (deprecated ids included) and its canonical case; the
table below only covers names and nicknames the library does not know.
"""

import functools
import re

from license_expression import LicenseWithExceptionSymbol, Licensing, get_spdx_licensing

NOASSERTION = "NOASSERTION"

# Longer strings are not licence names; don't feed them to the parser.
_MAX_LENGTH = 500

# Values meaning "no licence we recognise" (GitHub "other"/"NOASSERTION", SPDX "NONE").
_UNKNOWN_KEYS = frozenset({"other", "noassertion", "none", "unknown", "unlicensed", "null"})

# Full names shown by GitHub/GitLab (licensee), a few SPDX full names that differ
# from them, and deprecated SPDX ids the library only knows as exceptions.
_NAMES_BY_DISPLAY = {
    "Academic Free License v3.0": "AFL-3.0",
    "Apache License 2.0": "Apache-2.0",
    "Artistic License 2.0": "Artistic-2.0",
    "Blue Oak Model License 1.0.0": "BlueOak-1.0.0",
    "Boost Software License 1.0": "BSL-1.0",
    'BSD 2-Clause "Simplified" License': "BSD-2-Clause",
    "BSD-2-Clause Plus Patent License": "BSD-2-Clause-Patent",
    'BSD 3-Clause "New" or "Revised" License': "BSD-3-Clause",
    "BSD 3-Clause Clear License": "BSD-3-Clause-Clear",
    'BSD 4-Clause "Original" or "Old" License': "BSD-4-Clause",
    "BSD Zero Clause License": "0BSD",
    "CeCILL Free Software License Agreement v2.0": "CECILL-2.0",
    "CeCILL Free Software License Agreement v2.1": "CECILL-2.1",
    "CeCILL-B Free Software License Agreement": "CECILL-B",
    "CeCILL-C Free Software License Agreement": "CECILL-C",
    "CERN Open Hardware Licence Version 2 - Permissive": "CERN-OHL-P-2.0",
    "CERN Open Hardware Licence Version 2 - Strongly Reciprocal": "CERN-OHL-S-2.0",
    "CERN Open Hardware Licence Version 2 - Weakly Reciprocal": "CERN-OHL-W-2.0",
    "Creative Commons Attribution 4.0 International": "CC-BY-4.0",
    "Creative Commons Attribution Share Alike 4.0 International": "CC-BY-SA-4.0",
    "Creative Commons Zero v1.0 Universal": "CC0-1.0",
    "Do What The F*ck You Want To Public License": "WTFPL",
    "Do What The Fuck You Want To Public License": "WTFPL",
    "Eclipse Public License 1.0": "EPL-1.0",
    "Eclipse Public License 2.0": "EPL-2.0",
    "Educational Community License v2.0": "ECL-2.0",
    "Etalab Open License 2.0": "etalab-2.0",
    "European Union Public License 1.1": "EUPL-1.1",
    "European Union Public License 1.2": "EUPL-1.2",
    "GNU Affero General Public License v3.0": "AGPL-3.0-only",
    "GNU Free Documentation License v1.3": "GFDL-1.3-only",
    "GNU General Public License v2.0": "GPL-2.0-only",
    "GNU General Public License v3.0": "GPL-3.0-only",
    "GNU Lesser General Public License v2.1": "LGPL-2.1-only",
    "GNU Lesser General Public License v3.0": "LGPL-3.0-only",
    "GNU Library General Public License v2": "LGPL-2.0-only",
    "ISC License": "ISC",
    "LaTeX Project Public License v1.3c": "LPPL-1.3c",
    "Licence Ouverte / Open Licence 2.0": "etalab-2.0",
    "Licence Ouverte / Open Licence version 2.0": "etalab-2.0",
    "Microsoft Public License": "MS-PL",
    "Microsoft Reciprocal License": "MS-RL",
    "MIT License": "MIT",
    "MIT No Attribution": "MIT-0",
    "Mozilla Public License 2.0": "MPL-2.0",
    "Mulan Permissive Software License, Version 2": "MulanPSL-2.0",
    "Open Data Commons Open Database License v1.0": "ODbL-1.0",
    "Open Software License 3.0": "OSL-3.0",
    "PostgreSQL License": "PostgreSQL",
    "SIL Open Font License 1.1": "OFL-1.1",
    "The Unlicense": "Unlicense",
    "Universal Permissive License v1.0": "UPL-1.0",
    "University of Illinois/NCSA Open Source License": "NCSA",
    "Vim License": "Vim",
    "zlib License": "Zlib",
    # Deprecated SPDX ids that license-expression rejects outside a WITH clause.
    "GPL-2.0-with-autoconf-exception": "GPL-2.0-only WITH Autoconf-exception-2.0",
    "GPL-2.0-with-bison-exception": "GPL-2.0-only WITH Bison-exception-2.2",
    "GPL-2.0-with-classpath-exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "GPL-2.0-with-font-exception": "GPL-2.0-only WITH Font-exception-2.0",
    "GPL-2.0-with-GCC-exception": "GPL-2.0-only WITH GCC-exception-2.0",
    "GPL-3.0-with-autoconf-exception": "GPL-3.0-only WITH Autoconf-exception-3.0",
    "GPL-3.0-with-GCC-exception": "GPL-3.0-only WITH GCC-exception-3.1",
}

# Nicknames such as "GNU AGPLv3", "GPL v2", "LGPLv2.1", "gpl3".
_GNU_NICKNAME_RE = re.compile(r"(?:gnu\s*)?(a|l)?gpl[\s-]*v?\s*(\d)(?:\.(\d))?")
# "GPL-3.0+", "... v3.0 or later", "(or any later version)", "gpl-3.0-or-later".
_OR_LATER_RE = re.compile(
    r"\s*(?:\+|\(?\s*,?\s*or[\s-]+(?:any[\s-]+)?later(?:[\s-]+version)?\s*\)?)$"
)
_ONLY_RE = re.compile(r"[\s-]+only$")
_DECORATION_RE = re.compile(r"^the\s+|\s+licen[cs]e$")
_QUOTES = str.maketrans("", "", "\"'“”«»‘’")  # noqa: RUF001 (typographic quotes on purpose)

# Free licences, after the SPDX licence list's isOsiApproved / isFsfLibre flags.
# license-expression carries no such flags (only a ScanCode category such as
# "Permissive" or "Copyleft", which says nothing about freedom), hence this table.
# Deliberate additions: etalab-2.0 (the French government's open licence, flagged by
# neither) counts as free here; CC-BY-4.0, CC-BY-SA-4.0, CC0-1.0 and WTFPL are FSF-free.
# AGPL-1.0 and GPL-1.0 carry neither flag and are left out.
_GNU_FREE = ("GPL-2.0", "GPL-3.0", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "AGPL-3.0")
_GNU_FREE += ("GFDL-1.1", "GFDL-1.2", "GFDL-1.3")
FREE_LICENSES = frozenset(
    {f"{gnu}-{suffix}" for gnu in _GNU_FREE for suffix in ("only", "or-later")}
    | {
        # Permissive
        "0BSD",
        "AFL-3.0",
        "Apache-1.1",
        "Apache-2.0",
        "Artistic-2.0",
        "BlueOak-1.0.0",
        "BSD-2-Clause",
        "BSD-2-Clause-Patent",
        "BSD-3-Clause",
        "BSD-3-Clause-Clear",
        "BSD-4-Clause",
        "BSL-1.0",
        "ECL-2.0",
        "ISC",
        "LPPL-1.3a",
        "LPPL-1.3c",
        "MIT",
        "MIT-0",
        "MulanPSL-2.0",
        "NCSA",
        "OFL-1.1",
        "OpenSSL",
        "PostgreSQL",
        "Python-2.0",
        "Ruby",
        "Unlicense",
        "UPL-1.0",
        "Vim",
        "WTFPL",
        "X11",
        "Zlib",
        # Copyleft (weak or strong)
        "CDDL-1.0",
        "CECILL-2.0",
        "CECILL-2.1",
        "CECILL-B",
        "CECILL-C",
        "CERN-OHL-P-2.0",
        "CERN-OHL-S-2.0",
        "CERN-OHL-W-2.0",
        "CPL-1.0",
        "EPL-1.0",
        "EPL-2.0",
        "EUPL-1.1",
        "EUPL-1.2",
        "MPL-1.1",
        "MPL-2.0",
        "MS-PL",
        "MS-RL",
        "OSL-3.0",
        # Content and data
        "CC-BY-4.0",
        "CC-BY-SA-4.0",
        "CC0-1.0",
        "etalab-2.0",
        "ODbL-1.0",
    }
)


def _key(text: str) -> str:
    """Lowercase, drop quotes, collapse whitespace: the form every lookup uses."""
    return " ".join(text.translate(_QUOTES).lower().split())


_NAMES = {_key(name): spdx for name, spdx in _NAMES_BY_DISPLAY.items()}


@functools.lru_cache(maxsize=1)
def spdx_licensing() -> Licensing:
    """The SPDX licensing, built once (it loads a ~1 MB licence index)."""
    return get_spdx_licensing()


def _parse_spdx(key: str) -> str | None:
    """The canonical rendering of an SPDX id or expression, or None if invalid."""
    try:
        expression = spdx_licensing().parse(key, validate=True, strict=True)
    except Exception:  # the library raises several unrelated exception types
        return None
    if expression is None:
        return None
    rendered = expression.render()
    # Some SPDX ids are aliases of ScanCode-only keys (e.g. Net-SNMP).
    return None if "LicenseRef-" in rendered else rendered


def _lookup(key: str) -> str | None:
    if key in _NAMES:
        return _NAMES[key]
    nickname = _GNU_NICKNAME_RE.fullmatch(key)
    if nickname:
        prefix, major, minor = nickname.groups()
        key = f"{prefix or ''}gpl-{major}.{minor or '0'}"
    if result := _parse_spdx(key):
        return result
    undecorated = _DECORATION_RE.sub("", key)
    if undecorated != key:
        return _NAMES.get(undecorated) or _parse_spdx(undecorated)
    return None


def _normalize(text: str) -> str:
    key = _key(text)
    if (
        not key
        or len(key) > _MAX_LENGTH
        or key in _UNKNOWN_KEYS
        or "licenseref-" in key
        or "documentref-" in key
    ):
        return NOASSERTION
    if result := _lookup(key):
        return result
    if later := _OR_LATER_RE.search(key):
        base = _lookup(key[: later.start()])
        if base and base.endswith("-only") and " " not in base:
            return base.removesuffix("-only") + "-or-later"
        if base and " " not in base:
            return base  # e.g. "MPL-2.0 or later": MPL has its own upgrade clause
    only = _ONLY_RE.search(key)
    if only and (base := _lookup(key[: only.start()])):
        return base
    return NOASSERTION


@functools.lru_cache(maxsize=4096)
def _normalize_cached(text: str) -> str:
    try:
        return _normalize(text)
    except Exception:  # never let an odd forge value break an import
        return NOASSERTION


def normalize_license(reported: str | None) -> str:
    """Return the SPDX id or expression for a forge-reported licence, or NOASSERTION.

    Deprecated bare GNU ids and names ("GPL-3.0", "GNU General Public License v3.0")
    give the ``-only`` form; "+", "or later" and "-or-later" give ``-or-later``.
    """
    if not isinstance(reported, str):
        return NOASSERTION
    return _normalize_cached(reported)


def _is_free_expression(expression) -> bool:
    licensing = spdx_licensing()
    if isinstance(expression, licensing.OR):
        return any(_is_free_expression(arg) for arg in expression.args)
    if isinstance(expression, licensing.AND):
        return all(_is_free_expression(arg) for arg in expression.args)
    if isinstance(expression, LicenseWithExceptionSymbol):
        # Exceptions only add permissions: the base licence decides.
        return expression.license_symbol.key in FREE_LICENSES
    return getattr(expression, "key", None) in FREE_LICENSES


@functools.lru_cache(maxsize=1024)
def _is_free_cached(spdx: str) -> bool:
    normalized = normalize_license(spdx)
    if normalized == NOASSERTION:
        return False
    try:
        return _is_free_expression(spdx_licensing().parse(normalized))
    except Exception:
        return False


def is_free_license(spdx: str) -> bool:
    """Whether the licence (an SPDX id or expression) is free software / open source.

    True when every licence of an AND is free and at least one branch of an OR is;
    False for NOASSERTION, NONE, LicenseRef-* and anything unrecognised. Freedom is
    judged against ``FREE_LICENSES`` (see the comment above it for the sources).
    """
    if not isinstance(spdx, str):
        return False
    return _is_free_cached(spdx)
