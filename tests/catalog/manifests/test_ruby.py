"""Gemfile: gem lines, their versions, and the groups that make them development-only."""

from tests.catalog.manifests.conftest import rows


def test_gems_versions_and_groups(parse):
    parsed = parse("ruby-gemfile", "Gemfile")

    assert parsed.ok
    assert parsed.ecosystem == "gem"
    assert rows(parsed) == [
        ("rails", "~> 7.1.2", "runtime"),
        ("pg", "~> 1.1, >= 1.1.4", "runtime"),
        ("puma", ">= 5.0", "runtime"),
        ("bootsnap", "", "runtime"),
        ("sidekiq", "", "runtime"),
        ("rubocop", "", "development"),
        ("capybara", "", "development"),
        ("newrelic_rpm", "", "runtime"),
        ("tzinfo-data", "", "runtime"),
        ("debug", "", "development"),
        ("rspec-rails", "~> 6.1", "development"),
        ("simplecov", "", "development"),
        ("web-console", "", "development"),
        ("redis", "~> 5.0", "runtime"),
    ]
    assert parsed.errors == []


def test_purl(parse):
    purls = [d.purl for d in parse("ruby-gemfile", "Gemfile").dependencies]

    assert purls[0] == "pkg:gem/rails"


def test_a_latin1_gemfile_is_read_as_latin1_with_a_note(parse):
    parsed = parse("ruby-gemfile-latin1", "Gemfile")

    assert rows(parsed) == [("rails", "~> 7.1", "runtime")]
    assert parsed.errors == ["not UTF-8: read as Latin-1"]
