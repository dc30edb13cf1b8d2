"""Whatever a manifest holds, parse_manifest answers, within bounds, and never raises."""

import pytest

import catalog.manifests
from catalog.manifests import MAX_BYTES, parse_manifest
from tests.catalog.manifests.conftest import FIXTURES, rows

NAMES = [
    "package.json",
    "requirements.txt",
    "pyproject.toml",
    "pom.xml",
    "composer.json",
    "Gemfile",
    "go.mod",
    "Cargo.toml",
]


def test_a_manifest_over_max_bytes_is_not_read():
    content = b'{"dependencies": {"a": "1"}, "x": "' + b"x" * (50 * 1024 * 1024) + b'"}'
    parsed = parse_manifest("package.json", content)

    assert not parsed.ok
    assert parsed.dependencies == []
    assert parsed.errors == [f"larger than 1024 KB ({len(content)} bytes): not read"]


def test_a_manifest_of_exactly_max_bytes_is_read():
    head = b'{"dependencies": {"a": "1"}, "x": "'
    content = head + b"x" * (MAX_BYTES - len(head) - 2) + b'"}'

    assert rows(parse_manifest("package.json", content)) == [("a", "1", "runtime")]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.iterdir()))
def test_any_file_under_any_manifest_name_gives_an_answer(fixture, name):
    parsed = parse_manifest(name, (FIXTURES / fixture).read_bytes())

    assert parsed.ok or parsed.dependencies == []
    assert len(parsed.errors) <= 21
    for dependency in parsed.dependencies:
        assert dependency.purl.startswith(f"pkg:{parsed.ecosystem}/")
        assert "@" not in dependency.purl.split("/", 1)[1].replace("%40", "")
        assert len(dependency.requirement) <= 255


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\xff\xfe garbage \x1b[31m",
        b"[" * 100_000,
        b"{" * 100_000,
        b"a = " + b"[" * 100_000,
        b"<a>" * 50_000,
        "€".encode() * 1000,
    ],
    ids=["empty", "binary", "deep-brackets", "deep-braces", "deep-toml", "deep-xml", "utf8"],
)
def test_hostile_content_never_raises(name, content):
    parsed = parse_manifest(name, content)

    assert parsed.dependencies == [] or parsed.ok


def test_control_characters_and_long_requirements_are_cleaned():
    content = b'{"dependencies": {"a": "^1.0\\u0000\\u001b[31m", "b": "' + b"9" * 5000 + b'"}}'

    parsed = parse_manifest("package.json", content)

    assert rows(parsed) == [("a", "^1.0[31m", "runtime"), ("b", "9" * 255, "runtime")]


def test_notes_are_bounded():
    entries = ",".join(f'"n{i}": {i}' for i in range(500))
    parsed = parse_manifest("package.json", f'{{"dependencies": {{{entries}}}}}'.encode())

    assert len(parsed.errors) == 21
    assert parsed.errors[-1] == "… and 480 more notes"


def test_dependencies_are_bounded():
    entries = ",".join(f'"n{i}": "1"' for i in range(1500))
    parsed = parse_manifest("package.json", f'{{"dependencies": {{{entries}}}}}'.encode())

    assert len(parsed.dependencies) == 1000
    assert parsed.errors == ["more than 1000 dependencies: 500 were not kept"]


def test_an_unknown_file_or_content_that_is_not_bytes():
    assert parse_manifest("notes.txt", b"requests").errors == ["not a known manifest"]
    assert parse_manifest("package.json", "{}").errors == ["the content is not bytes"]
    assert parse_manifest(None, b"{}").ok is False
    assert parse_manifest("package.json", bytearray(b"{}")).ok


def test_a_parser_bug_is_a_note_not_an_exception(monkeypatch, caplog):
    def broken(path, content):
        raise KeyError("boom")

    monkeypatch.setitem(catalog.manifests.PARSERS, "package.json", ("npm", broken))

    parsed = parse_manifest("package.json", b"{}")

    assert not parsed.ok
    assert parsed.errors == ["could not be read"]
    assert "Manifest parser failed on package.json" in caplog.text
