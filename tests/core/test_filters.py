"""The listings' FilterSet base (core.filters): each bound FilterSet keeps its own filters and
form, though the filters are copied shallowly and the form class is built once."""

import pytest

from catalog.filters import RepositoryFilter
from catalog.models import Repository
from catalog.search import update_search_vectors
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


def test_filtersets_bound_one_after_the_other_keep_their_own_filters_and_values():
    RepositoryFactory(name="alpha-tool", language="Python")
    RepositoryFactory(name="beta-tool", language="Java")
    update_search_vectors()
    rows = Repository.objects.visible()
    first = RepositoryFilter({"q": "alpha", "language": "python"}, queryset=rows)
    second = RepositoryFilter({"q": "beta", "min_stars": "not a number"}, queryset=rows)
    assert first.is_valid()
    assert not second.is_valid()
    assert first.form.__class__ is second.form.__class__
    assert first.form.fields["q"] is not second.form.fields["q"]
    # Both bound before either is evaluated: each search runs on its own FilterSet.
    assert [r.name for r in first.qs] == ["alpha-tool"]
    assert list(second.errors) == ["min_stars"]
    third = RepositoryFilter({"q": "beta"}, queryset=rows)
    assert [r.name for r in third.qs] == ["beta-tool"]
    assert first.filters["q"].parent is first and third.filters["q"].parent is third
    assert first.with_archived is not None and third.with_archived is not None
    assert getattr(RepositoryFilter.base_filters["q"], "parent", None) is None
