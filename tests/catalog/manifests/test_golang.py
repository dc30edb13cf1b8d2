"""go.mod: require directives, single and in blocks; the rest of the file changes none."""

from tests.catalog.manifests.conftest import rows


def test_requires_single_and_in_blocks(parse):
    parsed = parse("golang.mod", "go.mod")

    assert parsed.ok
    assert parsed.ecosystem == "golang"
    assert parsed.package_name == "github.com/etalab/outil"
    assert rows(parsed) == [
        ("github.com/spf13/cobra", "v1.8.0", "runtime"),
        ("github.com/BurntSushi/toml", "v1.3.2", "runtime"),
        ("golang.org/x/text", "v0.14.0 // indirect", "runtime"),
        ("gopkg.in/yaml.v3", "v3.0.1", "runtime"),
        ("github.com/go-chi/chi/v5", "v5.0.12", "runtime"),
    ]
    assert parsed.errors == ["line 14: a require that is not “module version”; skipped"]


def test_purl_namespace_is_the_path_without_its_last_segment(parse):
    purls = {d.name: d.purl for d in parse("golang.mod", "go.mod").dependencies}

    assert purls["github.com/spf13/cobra"] == "pkg:golang/github.com/spf13/cobra"
    assert purls["github.com/go-chi/chi/v5"] == "pkg:golang/github.com/go-chi/chi/v5"
    assert purls["gopkg.in/yaml.v3"] == "pkg:golang/gopkg.in/yaml.v3"


def test_replace_and_exclude_add_nothing(parse):
    names = {d.name for d in parse("golang.mod", "go.mod").dependencies}

    assert "golang.org/x/net" not in names
    assert "../cobra" not in names
