"""Python manifests: every PEP 508 requirement kept as written, names as PyPI compares them."""

import pytest

from catalog.manifests import parse_manifest
from tests.catalog.manifests.conftest import rows


def test_requirements_keep_every_form_of_requirement(parse):
    parsed = parse("pip-reqs.txt", "requirements.txt")

    assert parsed.ok
    assert parsed.ecosystem == "pypi"
    assert rows(parsed) == [
        ("django", ">=5.2,<5.3", "runtime"),
        ("django-environ", "", "runtime"),
        ("psycopg", "[binary]==3.2.3", "runtime"),
        ("requests", '>= 2.32 ; python_version >= "3.11"', "runtime"),
        ("pillow", "==10.4.0", "runtime"),
        ("zope-interface", "~=6.0", "runtime"),
        ("private-lib", "@ (URL)", "runtime"),
    ]
    assert parsed.errors == ["line 20: “this is not a requirement” is not a requirement; skipped"]


def test_requirements_skip_options_urls_paths_and_editables(parse):
    names = {d.name for d in parse("pip-reqs.txt", "requirements.txt").dependencies}

    assert not names & {"outil", "autre", "local-package", "base", "constraints"}


def test_a_direct_reference_keeps_its_name_but_not_its_url(parse):
    parsed = parse("pip-reqs.txt", "requirements.txt")

    assert all("token" not in d.requirement for d in parsed.dependencies)
    assert all("example.org" not in d.requirement for d in parsed.dependencies)


def test_names_are_normalised_and_purls_carry_no_version(parse):
    purls = {d.name: d.purl for d in parse("pip-reqs.txt", "requirements.txt").dependencies}

    assert purls["zope-interface"] == "pkg:pypi/zope-interface"
    assert purls["django"] == "pkg:pypi/django"


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("requirements.txt", "runtime"),
        ("requirements/base.txt", "runtime"),
        ("requirements/prod.txt", "runtime"),
        ("requirements-dev.txt", "development"),
        ("requirements_test.txt", "development"),
        ("requirements/dev.txt", "development"),
        ("requirements/tests.txt", "development"),
        ("dev-requirements.txt", "development"),
        ("api/requirements-docs.txt", "development"),
    ],
)
def test_the_file_name_says_whether_requirements_are_for_development(path, scope):
    parsed = parse_manifest(path, b"requests\n")

    assert rows(parsed) == [("requests", "", scope)]


def test_pyproject_reads_project_extras_and_dependency_groups(parse):
    parsed = parse("python-pep621.toml", "pyproject.toml")

    assert parsed.ok
    assert parsed.package_name == "mon-service"
    assert parsed.private is True  # "Private :: Do Not Upload"
    assert rows(parsed) == [
        ("django", ">=5.2,<5.3", "runtime"),
        ("flask-cors", "", "runtime"),
        ("uvicorn", "[standard]>=0.30; sys_platform != 'win32'", "runtime"),
        ("psycopg", "[binary]>=3.2", "optional"),
        ("sphinx", "", "optional"),
        ("pytest", ">=8", "development"),
        ("coverage", "", "development"),
        ("ruff", "", "development"),
        ("ipython", "", "development"),
        ("tox", "", "development"),
    ]


def test_pyproject_groups_survive_cycles_and_unknown_includes(parse):
    notes = "\n".join(parse("python-pep621.toml", "pyproject.toml").errors)

    assert "project.dependencies: a requirement that is not text" in notes
    assert "includes itself" in notes
    assert "includes unknown group “missing”" in notes


def test_poetry_tables(parse):
    parsed = parse("python-poetry.toml", "pyproject.toml")

    assert parsed.ok
    assert parsed.package_name == "ancien-projet"
    assert parsed.private is False
    assert rows(parsed) == [
        ("django", "^4.2", "runtime"),
        ("requests", "^2.31", "runtime"),
        ("boto3", "^1.34", "optional"),
        ("numpy", "^1.26 | ^2.0", "runtime"),
        ("mylib", "", "runtime"),
        ("black", "^24.1", "development"),
        ("pytest", "^8.0", "development"),
        ("celery", "^5.3", "runtime"),
    ]
    assert parsed.errors == ["tool.poetry.dependencies: “odd” has a version of an unknown form"]


def test_malformed_toml_is_an_error_and_no_dependencies(parse):
    parsed = parse("python-malformed.toml", "pyproject.toml")

    assert not parsed.ok
    assert parsed.dependencies == []
    assert parsed.errors == ["malformed TOML"]


def test_a_pyproject_without_dependencies_has_none_and_no_error():
    parsed = parse_manifest("pyproject.toml", b"[tool.ruff]\nline-length = 100\n")

    assert parsed.ok
    assert parsed.dependencies == []
    assert parsed.errors == []
