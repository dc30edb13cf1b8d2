"""Gemfile: gem lines, their versions, and the groups that make them development-only."""

from catalog.manifests import parse_manifest
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


def test_older_option_spellings_and_nested_blocks():
    content = b"""
gem "rake", :group => :test
gem "thin", :groups => [:development]
group(:test) do
  platforms :jruby do
    gem "jdbc"
  end
  gem "factory_bot" # after the inner block's end, still in :test
end
gem "rack" # "#" inside a string: gem "not-a-gem"
"""
    parsed = parse_manifest("Gemfile", content)

    assert rows(parsed) == [
        ("rake", "", "development"),
        ("thin", "", "development"),
        ("jdbc", "", "development"),
        ("factory_bot", "", "development"),
        ("rack", "", "runtime"),
    ]
