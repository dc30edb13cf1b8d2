"""package.json: what npm installs, under the names and purls the registry knows."""

from catalog.manifests import parse_manifest
from tests.catalog.manifests.conftest import rows


def test_the_four_sections_give_their_scopes(parse):
    parsed = parse("npm.json", "web/package.json")

    assert parsed.ok
    assert parsed.errors == []
    assert parsed.ecosystem == "npm"
    assert parsed.package_name == "@etalab/mon-outil"
    assert parsed.private is True
    assert rows(parsed) == [
        ("react", "^18.2.0", "runtime"),
        ("@gouvfr/dsfr", "1.11.2", "runtime"),
        ("jsonstream", "~1.3.5", "runtime"),
        ("lodash", "^4.17.21", "runtime"),
        ("tooling", "git+https://github.com/etalab/tooling.git#v1", "runtime"),
        ("vitest", "^1.0.0", "development"),
        ("react", "^18.2.0", "development"),
        ("react-dom", ">=17", "peer"),
        ("fsevents", "2.3.3", "optional"),
    ]
    assert {d.manifest for d in parsed.dependencies} == {"web/package.json"}


def test_purls_have_the_scope_as_namespace_and_no_version(parse):
    purls = {d.name: d.purl for d in parse("npm.json", "package.json").dependencies}

    assert purls["@gouvfr/dsfr"] == "pkg:npm/%40gouvfr/dsfr"
    assert purls["react"] == "pkg:npm/react"
    assert purls["jsonstream"] == "pkg:npm/jsonstream"


def test_an_alias_is_the_package_it_names(parse):
    names = [d.name for d in parse("npm.json", "package.json").dependencies]

    assert "lodash" in names
    assert "lodash-es" not in names


def test_credentials_in_a_git_url_are_not_kept(parse):
    parsed = parse("npm.json", "package.json")

    assert all("secret-token" not in d.requirement for d in parsed.dependencies)


def test_a_workspace_root_has_no_dependencies_and_no_error(parse):
    parsed = parse("npm-workspace.json", "package.json")

    assert parsed.ok
    assert parsed.dependencies == []
    assert parsed.errors == []
    assert parsed.package_name == "monorepo"
    assert parsed.private is True


def test_values_of_the_wrong_type_are_skipped_with_a_note(parse):
    parsed = parse("npm-wrong-types.json", "package.json")

    assert parsed.ok
    assert rows(parsed) == [("prettier", "^3.0.0", "development")]
    assert parsed.package_name == ""
    assert parsed.private is False  # only the boolean true makes a package private
    notes = "\n".join(parsed.errors)
    assert "dependencies is not an object" in notes
    assert "“eslint” has a version that is not text" in notes
    assert "spaces or control characters" in notes
    assert "a name of 10000 characters was skipped" in notes
    assert "“a/b/c” is not an npm package name" in notes
    assert "optionalDependencies is not an object" in notes
    assert all(len(note) <= 200 for note in parsed.errors)


def test_a_repeated_key_keeps_its_last_value_as_npm_does(parse):
    parsed = parse("npm-duplicate-keys.json", "package.json")

    assert rows(parsed) == [("express", "^4.18.0", "runtime")]
    assert any("“dependencies” appears twice" in note for note in parsed.errors)
    assert any("“left-pad” appears twice" in note for note in parsed.errors)


def test_malformed_json_is_an_error_and_no_dependencies(parse):
    parsed = parse("npm-malformed.json", "package.json")

    assert not parsed.ok
    assert parsed.dependencies == []
    assert parsed.errors == ["malformed JSON"]


def test_a_document_that_is_not_an_object_is_an_error(parse):
    parsed = parse("npm-not-object.json", "package.json")

    assert not parsed.ok
    assert parsed.errors == ["package.json is not a JSON object"]


def test_a_utf8_bom_is_read_through(parse):
    parsed = parse("npm-bom.json", "package.json")

    assert parsed.errors == []
    assert parsed.package_name == "avec-bom"
    assert rows(parsed) == [("express", "^4.18.0", "runtime")]


def test_a_latin1_file_is_read_as_latin1_with_a_note(parse):
    parsed = parse("npm-latin1.json", "package.json")

    assert parsed.ok
    assert rows(parsed) == [("jquery", "1.12.4", "runtime")]
    assert parsed.errors == ["not UTF-8: read as Latin-1"]


def test_an_alias_to_a_bad_name_is_skipped():
    content = b'{"dependencies": {"ok": "npm:bad name@1", "fine": "npm:@scope/real"}}'

    parsed = parse_manifest("package.json", content)

    assert rows(parsed) == [("@scope/real", "", "runtime")]
    assert parsed.errors == ["dependencies: “bad name” has spaces or control characters; skipped"]
