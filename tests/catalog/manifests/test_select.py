"""Which files of a repository tree are read as manifests."""

from catalog.manifests import MAX_MANIFESTS, ecosystem_of, select_manifests


def test_root_first_then_first_level_directories_sorted():
    tree = [
        "web/package.json",
        "README.md",
        "package.json",
        "api/pyproject.toml",
        "requirements/dev.txt",
        "requirements.txt",
        "api/requirements.txt",
        "go.mod",
        "src/main.go",
    ]

    assert select_manifests(tree) == [
        "go.mod",
        "package.json",
        "requirements.txt",
        "requirements/dev.txt",  # the root's requirements, one folder down
        "api/pyproject.toml",
        "api/requirements.txt",
        "web/package.json",
    ]


def test_deeper_files_vendored_code_fixtures_and_examples_are_not_read():
    tree = [
        "packages/ui/package.json",  # depth 2
        "api/requirements/base.txt",  # <sub>/requirements/*.txt: not read
        "node_modules/react/package.json",
        "node_modules/package.json",
        "vendor/composer.json",
        "tests/package.json",
        "test/pom.xml",
        "fixtures/Cargo.toml",
        "__fixtures__/package.json",
        "testdata/go.mod",
        "examples/package.json",
        "Example/package.json",
        ".github/package.json",
        "/etc/package.json",
        "../package.json",
        "a//package.json",
        "bad\x00dir/package.json",
    ]

    assert select_manifests(tree) == []


def test_only_known_file_names_count():
    tree = ["Package.json", "pom.xml.bak", "gemfile", "Gemfile.lock", "go.sum", "Cargo.lock"]

    assert select_manifests(tree) == []


def test_at_most_max_manifests_and_deterministic():
    tree = [f"pkg{i:03}/package.json" for i in range(100)] + ["package.json", 42, None]
    shuffled = tree[::-1]

    selected = select_manifests(tree)

    assert len(selected) == MAX_MANIFESTS
    assert selected[0] == "package.json"
    assert selected[1:3] == ["pkg000/package.json", "pkg001/package.json"]
    assert select_manifests(shuffled) == selected
    assert select_manifests(iter(tree)) == selected


def test_duplicates_and_leading_dot_slash():
    assert select_manifests(["./package.json", "package.json"]) == ["package.json"]


def test_ecosystem_of():
    assert ecosystem_of("web/package.json") == "npm"
    assert ecosystem_of("requirements/prod.txt") == "pypi"
    assert ecosystem_of("requirements-dev.txt") == "pypi"
    assert ecosystem_of("Gemfile") == "gem"
    assert ecosystem_of("notes.txt") == ""
