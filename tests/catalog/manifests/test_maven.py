"""pom.xml: the project's own dependencies, never resolved, read without DTD or entities."""

from tests.catalog.manifests.conftest import rows


def test_dependencies_and_their_scopes(parse):
    parsed = parse("pom-basic.xml", "pom.xml")

    assert parsed.ok
    assert parsed.errors == []
    assert parsed.ecosystem == "maven"
    assert parsed.package_name == "fr.gouv.etalab:service"  # groupId from the parent
    assert rows(parsed) == [
        ("org.springframework:spring-core", "${spring.version}", "runtime"),
        ("org.postgresql:postgresql", "42.7.1", "runtime"),
        ("jakarta.servlet:jakarta.servlet-api", "6.0.0", "runtime"),
        ("org.junit.jupiter:junit-jupiter", "", "development"),
        ("com.h2database:h2", "2.2.224", "optional"),
        ("fr.gouv.etalab:commun", "${project.version}", "runtime"),
    ]


def test_dependency_management_and_plugin_dependencies_are_not_the_projects(parse):
    names = {d.name for d in parse("pom-basic.xml", "pom.xml").dependencies}

    assert "org.springframework:spring-framework-bom" not in names
    assert "org.ow2.asm:asm" not in names


def test_purl_has_the_group_as_namespace(parse):
    purls = {d.name: d.purl for d in parse("pom-basic.xml", "pom.xml").dependencies}

    assert purls["org.postgresql:postgresql"] == "pkg:maven/org.postgresql/postgresql"


def test_placeholders_stay_in_versions_and_skip_unknown_coordinates(parse):
    parsed = parse("pom-placeholders.xml", "pom.xml")

    assert parsed.ok
    assert rows(parsed) == [
        ("com.fasterxml.jackson.core:jackson-databind", "${jackson.version}", "runtime"),
    ]
    notes = "\n".join(parsed.errors)
    assert "“${vendor.group}:client”: a property in the coordinates is not resolved" in notes
    assert "“org.hibernate.orm:${hibernate.artifact}”" in notes
    assert "a dependency without groupId or artifactId" in notes


def test_an_entity_bomb_is_refused_at_once(parse):
    parsed = parse("pom-entity-bomb.xml", "pom.xml")

    assert not parsed.ok
    assert parsed.dependencies == []
    assert parsed.errors == ["XML with a DTD or entities is refused"]


def test_an_external_entity_is_never_read(parse):
    parsed = parse("pom-external-entity.xml", "pom.xml")

    assert not parsed.ok
    assert parsed.errors == ["XML with a DTD or entities is refused"]


def test_malformed_xml_is_an_error_and_no_dependencies(parse):
    parsed = parse("pom-malformed.xml", "pom.xml")

    assert not parsed.ok
    assert parsed.dependencies == []
    assert parsed.errors == ["malformed XML"]


def test_a_latin1_pom_is_read_through_its_xml_declaration(parse):
    parsed = parse("pom-latin1.xml", "pom.xml")

    assert parsed.errors == []
    assert parsed.package_name == "fr.gouv.ancien:outil"
    assert rows(parsed) == [("log4j:log4j", "1.2.17", "runtime")]
