import csv
import gzip
from functools import cache
from pathlib import Path

import pytest
from license_expression import get_spdx_licensing

from catalog import licenses
from catalog.licenses import NOASSERTION, is_free_license, normalize_license

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DUMP_2021_SHIPPED = PROJECT_ROOT / "catalog" / "data" / "repositories-2021.csv.gz"
DUMP_2021_SHARED = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "codes-sources-fr-2021"
    / "repositories.csv"
)


@cache
def spdx_licensing():
    return get_spdx_licensing()


def is_canonical_spdx(value: str) -> bool:
    info = spdx_licensing().validate(value)
    return not info.errors and info.normalized_expression == value


@pytest.mark.parametrize(
    "reported",
    [
        "GNU Affero General Public License v3.0",
        "agpl-3.0",
        "AGPL-3.0",
        "GNU AGPLv3",
        "AGPL-3.0-only",
    ],
)
def test_agpl_3_in_every_forge_vocabulary_is_agpl_3_only(reported):
    assert normalize_license(reported) == "AGPL-3.0-only"


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ("GPL-2.0", "GPL-2.0-only"),
        ("GPL-3.0", "GPL-3.0-only"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("LGPL-3.0", "LGPL-3.0-only"),
        ("AGPL-1.0", "AGPL-1.0-only"),
        ("GFDL-1.3", "GFDL-1.3-only"),
        ("gfdl-1.2", "GFDL-1.2-only"),
        ("gpl-2.0", "GPL-2.0-only"),
        ("lgpl-2.1", "LGPL-2.1-only"),
        ("GNU GPLv3", "GPL-3.0-only"),
        ("GNU LGPLv2.1", "LGPL-2.1-only"),
        ("GNU General Public License v3.0 only", "GPL-3.0-only"),
    ],
)
def test_deprecated_bare_gnu_ids_give_the_only_form(reported, expected):
    assert normalize_license(reported) == expected


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ("GPL-3.0+", "GPL-3.0-or-later"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("LGPL-2.1+", "LGPL-2.1-or-later"),
        ("AGPL-3.0+", "AGPL-3.0-or-later"),
        ("GFDL-1.3+", "GFDL-1.3-or-later"),
        ("gpl-3.0-or-later", "GPL-3.0-or-later"),
        ("GNU General Public License v3.0 or later", "GPL-3.0-or-later"),
        ("GNU Affero General Public License v3.0 or later", "AGPL-3.0-or-later"),
        ("GNU Lesser General Public License v2.1 (or any later version)", "LGPL-2.1-or-later"),
        ("gpl-3.0 or-later", "GPL-3.0-or-later"),
        ("GPLv3+", "GPL-3.0-or-later"),
        ("GNU AGPLv3 or later", "AGPL-3.0-or-later"),
    ],
)
def test_or_later_gives_the_or_later_form(reported, expected):
    assert normalize_license(reported) == expected


CANONICAL_CASE = {
    "mit": "MIT",
    "eupl-1.2": "EUPL-1.2",
    "cecill-2.1": "CECILL-2.1",
    "apache-2.0": "Apache-2.0",
    "bsd-3-clause": "BSD-3-Clause",
    "mpl-2.0": "MPL-2.0",
    "unlicense": "Unlicense",
    "cc0-1.0": "CC0-1.0",
    "wtfpl": "WTFPL",
    "isc": "ISC",
    "zlib": "Zlib",
    "bsl-1.0": "BSL-1.0",
    "0bsd": "0BSD",
    "artistic-2.0": "Artistic-2.0",
    "ofl-1.1": "OFL-1.1",
    "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "epl-2.0": "EPL-2.0",
    "lppl-1.3c": "LPPL-1.3c",
    "ecl-2.0": "ECL-2.0",
    "postgresql": "PostgreSQL",
    "upl-1.0": "UPL-1.0",
    "ncsa": "NCSA",
    "osl-3.0": "OSL-3.0",
    "afl-3.0": "AFL-3.0",
    "ms-pl": "MS-PL",
    "ms-rl": "MS-RL",
    "vim": "Vim",
    "eupl-1.1": "EUPL-1.1",
    "cecill-b": "CECILL-B",
    "cecill-c": "CECILL-C",
    "etalab-2.0": "etalab-2.0",
    "mit-0": "MIT-0",
    "mulanpsl-2.0": "MulanPSL-2.0",
    "bsd-3-clause-clear": "BSD-3-Clause-Clear",
}


@pytest.mark.parametrize(("reported", "expected"), CANONICAL_CASE.items())
def test_spdx_ids_and_forge_keys_come_back_in_canonical_case(reported, expected):
    assert normalize_license(reported) == expected
    assert normalize_license(reported.upper()) == expected
    assert normalize_license(expected) == expected


@pytest.mark.parametrize("reported", ["  MIT  ", "mit\n", "\tMIT License ", "MIT   License"])
def test_whitespace_is_tolerated(reported):
    assert normalize_license(reported) == "MIT"


FORGE_NAMES = {
    "Academic Free License v3.0": "AFL-3.0",
    "Apache License 2.0": "Apache-2.0",
    "Artistic License 2.0": "Artistic-2.0",
    "Boost Software License 1.0": "BSL-1.0",
    'BSD 2-Clause "Simplified" License': "BSD-2-Clause",
    'BSD 3-Clause "New" or "Revised" License': "BSD-3-Clause",
    "BSD 3-Clause Clear License": "BSD-3-Clause-Clear",
    'BSD 4-Clause "Original" or "Old" License': "BSD-4-Clause",
    "BSD Zero Clause License": "0BSD",
    "Creative Commons Attribution 4.0 International": "CC-BY-4.0",
    "Creative Commons Attribution Share Alike 4.0 International": "CC-BY-SA-4.0",
    "Creative Commons Zero v1.0 Universal": "CC0-1.0",
    "Do What The F*ck You Want To Public License": "WTFPL",
    "Do What The Fuck You Want To Public License": "WTFPL",
    "Eclipse Public License 1.0": "EPL-1.0",
    "Eclipse Public License 2.0": "EPL-2.0",
    "European Union Public License 1.1": "EUPL-1.1",
    "European Union Public License 1.2": "EUPL-1.2",
    "GNU Affero General Public License v3.0": "AGPL-3.0-only",
    "GNU General Public License v2.0": "GPL-2.0-only",
    "GNU General Public License v3.0": "GPL-3.0-only",
    "GNU Lesser General Public License v2.1": "LGPL-2.1-only",
    "GNU Lesser General Public License v3.0": "LGPL-3.0-only",
    "ISC License": "ISC",
    "LaTeX Project Public License v1.3c": "LPPL-1.3c",
    "MIT License": "MIT",
    "MIT No Attribution": "MIT-0",
    "Mozilla Public License 2.0": "MPL-2.0",
    "Microsoft Public License": "MS-PL",
    "Microsoft Reciprocal License": "MS-RL",
    "Open Software License 3.0": "OSL-3.0",
    "SIL Open Font License 1.1": "OFL-1.1",
    "The Unlicense": "Unlicense",
    "University of Illinois/NCSA Open Source License": "NCSA",
    "Universal Permissive License v1.0": "UPL-1.0",
    "zlib License": "Zlib",
    "Educational Community License v2.0": "ECL-2.0",
    "PostgreSQL License": "PostgreSQL",
    "Vim License": "Vim",
    "Mulan Permissive Software License, Version 2": "MulanPSL-2.0",
    "CeCILL Free Software License Agreement v2.1": "CECILL-2.1",
    "CeCILL-B Free Software License Agreement": "CECILL-B",
    "CeCILL-C Free Software License Agreement": "CECILL-C",
    "Licence Ouverte / Open Licence 2.0": "etalab-2.0",
    "Etalab Open License 2.0": "etalab-2.0",
}


@pytest.mark.parametrize(("reported", "expected"), FORGE_NAMES.items())
def test_full_forge_names_map_to_their_spdx_id(reported, expected):
    assert normalize_license(reported) == expected
    assert normalize_license(reported.upper()) == expected


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
        ("mit or apache-2.0", "MIT OR Apache-2.0"),
        ("(GPL-2.0-or-later AND MIT)", "GPL-2.0-or-later AND MIT"),
        ("MIT AND (Apache-2.0 OR BSD-3-Clause)", "MIT AND (Apache-2.0 OR BSD-3-Clause)"),
        ("GPL-2.0 OR MIT", "GPL-2.0-only OR MIT"),
        ("GPL-2.0+ AND LGPL-2.1", "GPL-2.0-or-later AND LGPL-2.1-only"),
        (
            "GPL-2.0-only WITH Classpath-exception-2.0",
            "GPL-2.0-only WITH Classpath-exception-2.0",
        ),
        ("GPL-2.0-with-classpath-exception", "GPL-2.0-only WITH Classpath-exception-2.0"),
    ],
)
def test_valid_spdx_expressions_are_normalised(reported, expected):
    assert normalize_license(reported) == expected


@pytest.mark.parametrize(
    "reported",
    [
        None,
        "",
        "   ",
        "Other",
        "other",
        "NOASSERTION",
        "noassertion",
        "NONE",
        "none",
        "LicenseRef-scancode-proprietary",
        "LicenseRef-MIT-Bootstrap",  # an alias of MIT for the library, but still a LicenseRef
        "MIT OR LicenseRef-foo",
        "DocumentRef-spdx:LicenseRef-x",
        "Some home-made licence",
        "MIT OR NONE",
    ],
)
def test_unknown_or_absent_licences_give_noassertion(reported):
    assert normalize_license(reported) == NOASSERTION


@pytest.mark.parametrize(
    "reported",
    [
        "(",
        ")",
        "MIT AND",
        "OR",
        "MIT WITH",
        "GPL-2.0-only WITH MIT",
        "((((((((((MIT",
        "MIT, Apache-2.0",
        "MIT/Apache-2.0",
        "\x00",
        "🙂",
        "+",
        "or later",
        "a" * 10_000,
        "MIT OR " * 2_000 + "MIT",
        "Licence propriétaire",
    ],
)
def test_never_raises_and_always_answers_spdx_or_noassertion(reported):
    result = normalize_license(reported)
    assert result == NOASSERTION or is_canonical_spdx(result)


def test_non_string_input_gives_noassertion():
    assert normalize_license(42) == NOASSERTION  # type: ignore[arg-type]


def test_results_are_cached():
    normalize_license("Apache License 2.0")
    hits = licenses._normalize_cached.cache_info().hits
    normalize_license("Apache License 2.0")
    assert licenses._normalize_cached.cache_info().hits == hits + 1


def test_the_tables_only_hold_canonical_spdx_ids():
    """Guards against typos: every id the module can return or judge free is real SPDX."""
    for value in [*licenses._NAMES_BY_DISPLAY.values(), *licenses.FREE_LICENSES]:
        assert is_canonical_spdx(value), value


@pytest.mark.parametrize(
    "spdx",
    [
        *sorted(set(FORGE_NAMES.values())),
        "GPL-3.0-or-later",
        "GPL-3.0",  # deprecated ids are understood too
        "MIT OR Apache-2.0",
        "MIT OR CC-BY-NC-4.0",  # one free branch is enough
        "GPL-2.0-or-later AND MIT",
        "GPL-2.0-only WITH Classpath-exception-2.0",
        "etalab-2.0",
    ],
)
def test_free_licences(spdx):
    assert is_free_license(spdx)


@pytest.mark.parametrize(
    "spdx",
    [
        NOASSERTION,
        "NONE",
        "Other",
        "",
        "LicenseRef-scancode-proprietary",
        "CC-BY-NC-4.0",
        "CC-BY-ND-4.0",
        "CC-BY-NC-SA-4.0",
        "SSPL-1.0",
        "BUSL-1.1",
        "AGPL-1.0-only",
        "MIT AND CC-BY-NC-4.0",  # every AND member must be free
        "CC-BY-NC-4.0 OR CC-BY-ND-4.0",
        "(",
    ],
)
def test_non_free_or_unknown_licences(spdx):
    assert not is_free_license(spdx)


def read_dump_2021():
    if DUMP_2021_SHIPPED.exists():
        with gzip.open(DUMP_2021_SHIPPED, "rt", encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    if DUMP_2021_SHARED.exists():
        with DUMP_2021_SHARED.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    pytest.skip(f"2021 dump not found at {DUMP_2021_SHIPPED} nor {DUMP_2021_SHARED}")


def test_every_licence_of_the_2021_dump_is_recognised():
    values = sorted({row["license"] for row in read_dump_2021()})
    assert values, "the dump has no licence values"

    results = {value: normalize_license(value) for value in values}
    invalid = {v: r for v, r in results.items() if r != NOASSERTION and not is_canonical_spdx(r)}
    unmapped = [
        v for v, r in results.items() if r == NOASSERTION and v.strip() not in ("", "Other")
    ]
    for value in unmapped:
        print(f"unmapped licence in the 2021 dump: {value!r}")

    assert not invalid, f"not valid SPDX: {invalid}"
    assert not unmapped, f"licences mapped to NOASSERTION: {unmapped}"
