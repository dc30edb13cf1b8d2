"""Cargo.toml: the three tables, per-target ones, renames and workspace roots."""

from tests.catalog.manifests.conftest import rows


def test_tables_targets_and_renames(parse):
    parsed = parse("cargo.toml", "Cargo.toml")

    assert parsed.ok
    assert parsed.ecosystem == "cargo"
    assert parsed.package_name == "mon-outil"
    assert parsed.private is True  # publish = false
    assert rows(parsed) == [
        ("serde", "1.0", "runtime"),
        ("tokio", "1.35", "runtime"),
        ("serde_json", "1.0", "runtime"),
        ("local", "", "runtime"),
        ("shared", "workspace", "runtime"),
        ("openssl", "0.10", "optional"),
        ("criterion", "0.5", "development"),
        ("cc", "1.0", "build"),
        ("winapi", "0.3", "runtime"),
        ("nix", "0.27", "development"),
    ]
    assert parsed.errors == ["dependencies: “weird” has a value of an unknown form; skipped"]


def test_purl(parse):
    purls = {d.name: d.purl for d in parse("cargo.toml", "Cargo.toml").dependencies}

    assert purls["serde_json"] == "pkg:cargo/serde_json"


def test_a_workspace_root_has_no_dependencies_and_no_error(parse):
    parsed = parse("cargo-workspace.toml", "Cargo.toml")

    assert parsed.ok
    assert parsed.dependencies == []
    assert parsed.errors == []
    assert parsed.package_name == ""
