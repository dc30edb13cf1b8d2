from pathlib import Path

import pytest

from catalog.manifests import parse_manifest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def parse():
    """parse(fixture file, path in the repository) → ParsedManifest."""

    def parse(fixture, path):
        return parse_manifest(path, (FIXTURES / fixture).read_bytes())

    return parse


def rows(parsed):
    """(name, requirement, scope) of each dependency, in the manifest's order."""
    return [(d.name, d.requirement, d.scope) for d in parsed.dependencies]
