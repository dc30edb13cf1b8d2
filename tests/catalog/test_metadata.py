import json
import textwrap

import pytest
import yaml

from catalog.metadata import MAX_SIZE, parse_codemeta, parse_publiccode

VALID_PUBLICCODE = textwrap.dedent(
    """\
    publiccodeYmlVersion: "0.4"

    name: Démarches simplifiées
    url: "https://github.com/demarches-simplifiees/demarches-simplifiees.fr"
    landingURL: "https://www.demarches-simplifiees.fr"
    softwareVersion: "2024.10.1"
    releaseDate: 2024-10-15
    platforms:
      - web
    categories:
      - online-forms
      - workflow-management
    developmentStatus: stable
    softwareType: "standalone/web"

    description:
      fr:
        localisedName: Démarches simplifiées
        shortDescription: >-
          Plateforme de dématérialisation des démarches administratives.
        longDescription: >-
          Démarches simplifiées permet aux administrations de créer en quelques
          minutes des formulaires en ligne, de recevoir les dossiers des usagers,
          de les instruire à plusieurs et de correspondre avec les demandeurs,
          sans développement spécifique, dans le respect du RGPD et du RGAA.
        features:
          - Création de formulaires en ligne
          - Instruction collaborative des dossiers
          - Messagerie avec les usagers
      en:
        shortDescription: Platform to put administrative procedures online.
        longDescription: >-
          Démarches simplifiées lets public administrations build online forms in
          minutes, receive applications from citizens, review them as a team and
          talk with applicants, without any specific development.

    legal:
      license: AGPL-3.0-or-later
      mainCopyrightOwner: Direction interministérielle du numérique (DINUM)
      repoOwner: Direction interministérielle du numérique (DINUM)

    maintenance:
      type: internal
      contacts:
        - name: Équipe Démarches simplifiées
          email: contact@demarches-simplifiees.fr

    localisation:
      localisationReady: true
      availableLanguages:
        - fr
        - en
    """
)


def load():
    return yaml.safe_load(VALID_PUBLICCODE)


def dump(doc) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def errors_for(doc) -> list[str]:
    return parse_publiccode(dump(doc)).errors


# --- publiccode.yml: valid --------------------------------------------------------------


def test_valid_publiccode_04():
    result = parse_publiccode(VALID_PUBLICCODE)
    assert result.errors == []
    assert result.warnings == []
    assert result.is_valid
    assert result.data["name"] == "Démarches simplifiées"
    assert result.data["_summary"] == {
        "name": "Démarches simplifiées",
        "url": "https://github.com/demarches-simplifiees/demarches-simplifiees.fr",
        "license": "AGPL-3.0-or-later",
        "development_status": "stable",
        "software_type": "standalone/web",
        "short_description": "Plateforme de dématérialisation des démarches administratives.",
        "languages": ["fr", "en"],
    }


def test_bytes_input_with_bom():
    result = parse_publiccode(b"\xef\xbb\xbf" + VALID_PUBLICCODE.encode())
    assert result.is_valid


def test_project_own_publiccode_is_valid():
    from django.conf import settings

    text = (settings.BASE_DIR / "publiccode.yml").read_text(encoding="utf-8")
    result = parse_publiccode(text)
    assert result.errors == []


def test_dates_become_iso_strings_and_data_is_json_serialisable():
    doc = load()
    doc["maintenance"] = {
        "type": "contract",
        "contractors": [{"name": "Société X", "until": "2026-12-31"}],
    }
    text = dump(doc).replace("'2026-12-31'", "2026-12-31")  # an unquoted YAML date
    text += "extra:\n  when: 2024-01-02 10:00:00\n  2023-05-01: a date key\n  nan: .nan\n"
    result = parse_publiccode(text)
    assert result.errors == []
    assert result.data["releaseDate"] == "2024-10-15"
    assert result.data["maintenance"]["contractors"][0]["until"] == "2026-12-31"
    assert result.data["extra"]["when"] == "2024-01-02T10:00:00"
    assert result.data["extra"]["2023-05-01"] == "a date key"
    assert result.data["extra"]["nan"] is None
    json.dumps(result.data, allow_nan=False)


def test_quoted_date_string_is_accepted():
    doc = load()
    doc["releaseDate"] = "2024-10-15"
    assert errors_for(doc) == []


@pytest.mark.parametrize("value", ["15/10/2024", "2024-13-01", "2024-10-15 10:00:00", 20241015])
def test_bad_release_date(value):
    text = dump({**load(), "releaseDate": value})
    if isinstance(value, str) and " " in value:
        text = text.replace(f"'{value}'", value)  # an unquoted YAML timestamp
    assert parse_publiccode(text).errors == ["releaseDate: must be a date in YYYY-MM-DD format."]


def test_short_description_picks_english_then_first_language():
    doc = load()
    del doc["description"]["fr"]
    result = parse_publiccode(dump(doc))
    assert result.data["_summary"]["short_description"].startswith("Platform")

    doc["description"] = {"it": doc["description"]["en"]}
    doc["description"]["it"]["shortDescription"] = "Piattaforma"
    assert parse_publiccode(dump(doc)).data["_summary"]["short_description"] == "Piattaforma"


def test_optional_keys_absent_give_no_error():
    doc = load()
    for key in ("landingURL", "softwareVersion", "releaseDate", "categories"):
        del doc[key]
    for desc in doc["description"].values():
        desc.pop("features", None)
        desc.pop("localisedName", None)
    assert errors_for(doc) == []


# --- publiccode.yml: versions -------------------------------------------------------------


@pytest.mark.parametrize("version", ["0.2", "0.2.1", "0.3", "0.3.0", "0.4", "0.4.0"])
def test_known_versions(version):
    result = parse_publiccode(dump({**load(), "publiccodeYmlVersion": version}))
    assert result.warnings == []
    assert result.is_valid


@pytest.mark.parametrize("version", ["0.5", "1.0", "v0.4"])
def test_unknown_version_is_a_warning(version):
    result = parse_publiccode(dump({**load(), "publiccodeYmlVersion": version}))
    assert result.is_valid
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("publiccodeYmlVersion: unknown version")


def test_unquoted_numeric_version_is_a_warning():
    text = VALID_PUBLICCODE.replace('publiccodeYmlVersion: "0.4"', "publiccodeYmlVersion: 0.4")
    result = parse_publiccode(text)
    assert result.is_valid
    assert result.warnings == ["publiccodeYmlVersion: should be a quoted string (“0.4”)."]


def test_missing_version_is_an_error():
    doc = load()
    del doc["publiccodeYmlVersion"]
    assert errors_for(doc) == ["publiccodeYmlVersion: missing (this key is required)."]


# --- publiccode.yml: errors ---------------------------------------------------------------


def test_missing_name():
    doc = load()
    del doc["name"]
    result = parse_publiccode(dump(doc))
    assert not result.is_valid
    assert result.errors == ["name: missing (this key is required)."]
    assert result.data is not None  # still parsed, for display
    assert result.data["_summary"]["name"] is None


def test_bad_url():
    assert errors_for({**load(), "url": "ftp://example.org/repo"}) == [
        "url: must be an http or https URL."
    ]


def test_platforms_must_be_a_list():
    assert errors_for({**load(), "platforms": "web"}) == ["platforms: must be a list."]


def test_bad_development_status():
    errors = errors_for({**load(), "developmentStatus": "finished"})
    assert len(errors) == 1
    assert errors[0].startswith("developmentStatus: “finished” is not one of concept,")


def test_bad_software_type():
    errors = errors_for({**load(), "softwareType": "standalone"})
    assert len(errors) == 1
    assert errors[0].startswith("softwareType: “standalone” is not one of")


def test_short_description_too_long():
    doc = load()
    doc["description"]["fr"]["shortDescription"] = "x" * 151
    assert errors_for(doc) == ["description.fr.shortDescription: longer than 150 characters."]
    doc["description"]["fr"]["shortDescription"] = "x" * 150
    assert errors_for(doc) == []


def test_long_description_bounds():
    doc = load()
    doc["description"]["en"]["longDescription"] = "x" * 149
    assert errors_for(doc) == ["description.en.longDescription: shorter than 150 characters."]
    doc["description"]["en"]["longDescription"] = "x" * 10_001
    assert errors_for(doc) == ["description.en.longDescription: longer than 10000 characters."]


def test_description_missing_keys():
    doc = load()
    doc["description"] = {"fr": {"features": "one"}}
    assert errors_for(doc) == [
        "description.fr.shortDescription: missing (this key is required).",
        "description.fr.longDescription: missing (this key is required).",
        "description.fr.features: must be a list of strings.",
    ]


@pytest.mark.parametrize("expr", ["Licence libre", "MIT AND", "GPL-3.0-or-later OR OR MIT", ""])
def test_invalid_license_expression(expr):
    doc = load()
    doc["legal"]["license"] = expr
    errors = errors_for(doc)
    assert len(errors) == 1
    assert errors[0].startswith("legal.license: ")


@pytest.mark.parametrize(
    ("expr", "normalised"),
    [
        ("EUPL-1.2", "EUPL-1.2"),
        ("mit", "MIT"),
        ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
        ("GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"),
        ("CECILL-2.1", "CECILL-2.1"),
    ],
)
def test_valid_license_expression(expr, normalised):
    doc = load()
    doc["legal"]["license"] = expr
    result = parse_publiccode(dump(doc))
    assert result.errors == []
    assert result.data["_summary"]["license"] == normalised


def test_license_ref_is_a_warning():
    doc = load()
    doc["legal"]["license"] = "LicenseRef-licence-ouverte"
    result = parse_publiccode(dump(doc))
    assert result.is_valid
    assert result.warnings[0].startswith("legal.license: uses custom license identifiers")


@pytest.mark.parametrize("mtype", ["internal", "community"])
def test_maintenance_without_contacts(mtype):
    doc = load()
    doc["maintenance"] = {"type": mtype}
    assert errors_for(doc) == [f"maintenance.contacts: required when maintenance.type is {mtype}."]


def test_maintenance_none_needs_no_contacts():
    doc = load()
    doc["maintenance"] = {"type": "none"}
    assert errors_for(doc) == []


def test_contract_maintenance_needs_contractors():
    doc = load()
    doc["maintenance"] = {"type": "contract"}
    assert errors_for(doc) == [
        "maintenance.contractors: required when maintenance.type is contract."
    ]


def test_bad_maintenance_type():
    doc = load()
    doc["maintenance"]["type"] = "volunteers"
    assert errors_for(doc)[0].startswith("maintenance.type: “volunteers” is not one of")


def test_localisation_errors():
    doc = load()
    doc["localisation"] = {"localisationReady": "yes please", "availableLanguages": "fr"}
    assert errors_for(doc) == [
        "localisation.localisationReady: must be true or false.",
        "localisation.availableLanguages: must be a list of language codes.",
    ]


def test_every_required_key_missing():
    result = parse_publiccode("foo: bar\n")
    assert not result.is_valid
    assert {e.split(":")[0] for e in result.errors} == {
        "publiccodeYmlVersion",
        "name",
        "url",
        "platforms",
        "developmentStatus",
        "softwareType",
        "description",
        "legal.license",
        "maintenance.type",
        "localisation",
    }
    json.dumps(result.data)


# --- publiccode.yml: unreadable documents ----------------------------------------------------


def test_yaml_syntax_error():
    result = parse_publiccode("name: a: b\n")
    assert result.data is None
    assert not result.is_valid
    assert result.errors == [
        "not valid YAML: mapping values are not allowed here (line 1, column 8)."
    ]


def test_yaml_list_instead_of_mapping():
    result = parse_publiccode("- name: x\n- url: y\n")
    assert result.data is None
    assert result.errors == ["document must be a YAML mapping, not a list."]


@pytest.mark.parametrize("text", ["", "# only a comment\n", b""])
def test_empty_document(text):
    assert parse_publiccode(text).errors == ["file is empty."]


def test_unsafe_tag_is_refused_not_executed(monkeypatch):
    import os

    def forbidden(*args):
        raise AssertionError("os.system must not be called")

    monkeypatch.setattr(os, "system", forbidden)
    result = parse_publiccode('name: !!python/object/apply:os.system ["echo"]\n')
    assert result.data is None
    assert len(result.errors) == 1
    assert result.errors[0].startswith("not valid YAML: could not determine a constructor")


def test_too_large_input_is_refused():
    text = VALID_PUBLICCODE + "# padding\n" * (MAX_SIZE // 10)
    result = parse_publiccode(text)
    assert result.data is None
    assert result.errors[0].startswith("file is too large")
    assert parse_publiccode(text.encode()).errors[0].startswith("file is too large")


def test_alias_bomb_is_refused():
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    result = parse_publiccode("\n".join(lines))
    assert result.data is None
    assert result.errors[0].startswith("document is too complex")


def test_deep_nesting_is_refused():
    result = parse_publiccode("a: " + "[" * 5000 + "]" * 5000)
    assert result.data is None
    assert result.errors


def test_invalid_utf8():
    assert parse_publiccode(b"name: \xff\xfe\n").errors == ["file is not valid UTF-8 text."]


# --- codemeta.json ----------------------------------------------------------------------------

VALID_CODEMETA = {
    "@context": "https://w3id.org/codemeta/3.0",
    "@type": "SoftwareSourceCode",
    "name": "Démarches simplifiées",
    "description": "Plateforme de dématérialisation des démarches administratives.",
    "license": "https://spdx.org/licenses/AGPL-3.0-or-later",
    "version": "2024.10.1",
    "codeRepository": "https://github.com/demarches-simplifiees/demarches-simplifiees.fr",
    "dateModified": "2024-10-15",
    "programmingLanguage": ["Ruby", {"@type": "ComputerLanguage", "name": "TypeScript"}],
    "author": [
        {"@type": "Person", "givenName": "Marie", "familyName": "Curie"},
        {"@type": "Organization", "name": "DINUM"},
    ],
}


def test_valid_codemeta():
    result = parse_codemeta(json.dumps(VALID_CODEMETA))
    assert result.is_valid
    assert result.warnings == []
    assert result.data["_summary"] == {
        "name": "Démarches simplifiées",
        "description": "Plateforme de dématérialisation des démarches administratives.",
        "license": "AGPL-3.0-or-later",
        "version": "2024.10.1",
        "code_repository": "https://github.com/demarches-simplifiees/demarches-simplifiees.fr",
        "programming_languages": ["Ruby", "TypeScript"],
        "authors": ["Marie Curie", "DINUM"],
    }
    json.dumps(result.data)


def test_codemeta_bytes_input():
    assert parse_codemeta(json.dumps(VALID_CODEMETA).encode()).is_valid


def test_codemeta_invalid_json():
    result = parse_codemeta('{"name": "x",}')
    assert result.data is None
    assert len(result.errors) == 1
    assert result.errors[0].startswith("not valid JSON: ")


def test_codemeta_not_an_object():
    result = parse_codemeta('["name"]')
    assert result.data is None
    assert result.errors == ["document must be a JSON object."]


def test_codemeta_missing_name():
    doc = {k: v for k, v in VALID_CODEMETA.items() if k != "name"}
    result = parse_codemeta(json.dumps(doc))
    assert not result.is_valid
    assert result.errors == ["name: missing (this key is required)."]
    assert result.data["_summary"]["name"] is None


def test_codemeta_context_warning():
    result = parse_codemeta(json.dumps({**VALID_CODEMETA, "@context": "https://schema.org"}))
    assert result.is_valid
    assert result.warnings == ["@context: does not mention CodeMeta."]
    result = parse_codemeta(json.dumps({"name": "x", "license": "MIT"}))
    assert result.warnings == ["@context: missing; expected the CodeMeta context."]


@pytest.mark.parametrize(
    ("license_", "expected"),
    [
        ("MIT", "MIT"),
        ("https://spdx.org/licenses/MIT", "MIT"),
        ("http://spdx.org/licenses/EUPL-1.2.html", "EUPL-1.2"),
        ({"@id": "https://spdx.org/licenses/Apache-2.0"}, "Apache-2.0"),
        (
            ["https://spdx.org/licenses/MIT", "https://spdx.org/licenses/Apache-2.0"],
            "MIT AND Apache-2.0",
        ),
        (["MIT OR Apache-2.0", "CC-BY-4.0"], "(MIT OR Apache-2.0) AND CC-BY-4.0"),
    ],
)
def test_codemeta_license_normalisation(license_, expected):
    result = parse_codemeta(json.dumps({**VALID_CODEMETA, "license": license_}))
    assert result.warnings == []
    assert result.data["_summary"]["license"] == expected


def test_codemeta_unknown_license_is_a_warning():
    result = parse_codemeta(json.dumps({**VALID_CODEMETA, "license": "Licence maison"}))
    assert result.is_valid
    assert result.warnings[0].startswith("license: “Licence maison” is not a valid SPDX")
    assert result.data["_summary"]["license"] == "Licence maison"


def test_codemeta_too_large():
    result = parse_codemeta(json.dumps({"name": "x", "pad": "x" * MAX_SIZE}))
    assert result.data is None
    assert result.errors[0].startswith("file is too large")


def test_codemeta_nan_becomes_null():
    result = parse_codemeta('{"name": "x", "@context": "codemeta", "license": "MIT", "v": NaN}')
    assert result.data["v"] is None
    json.dumps(result.data, allow_nan=False)
