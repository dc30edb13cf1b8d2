"""composer.json: registry packages only, the platform's requirements aside."""

from tests.catalog.manifests.conftest import rows


def test_require_and_require_dev_without_platform_packages(parse):
    parsed = parse("composer-basic.json", "composer.json")

    assert parsed.ok
    assert parsed.ecosystem == "composer"
    assert parsed.package_name == "etalab/mon-site"
    assert rows(parsed) == [
        ("symfony/console", "^7.0", "runtime"),
        ("guzzlehttp/guzzle", "^7.8", "runtime"),
        ("phpunit/phpunit", "^10.5", "development"),
    ]
    assert parsed.errors == [
        "require: “monolog” is not vendor/name; skipped",
        "require: “twig/twig” has a version that is not text",
    ]


def test_purl_has_the_vendor_as_namespace(parse):
    purls = [d.purl for d in parse("composer-basic.json", "composer.json").dependencies]

    assert purls[0] == "pkg:composer/symfony/console"
