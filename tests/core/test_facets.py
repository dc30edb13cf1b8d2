import pytest
from django.db import connection
from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Upper
from django.test.utils import CaptureQueriesContext

from catalog.models import Owner, Repository
from core.facets import PageWanted, summarize
from core.filters import top_values
from core.listing import page_size, page_wanted
from core.search import json_list_counts
from tests.factories import OwnerFactory, RepositoryFactory

pytestmark = pytest.mark.django_db

# forge__host and owner__path: facets on a related row's field (counted by key, then named).
COLUMNS = {"language": "language", "forge": "forge__host", "owner": "owner__path"}


@pytest.fixture
def repositories():
    for language, topics in [
        ("Python", ["cli", "api"]),
        ("Python", ["api"]),
        ("Go", ["cli"]),
        ("", []),  # no language: never a facet value
        ("Rust", ["", "api"]),
    ]:
        RepositoryFactory(language=language, topics=topics)


def test_one_statement_gives_the_count_and_what_one_query_per_facet_gave(repositories):
    rows = Repository.objects.filter(topics__contains=["api"])

    with CaptureQueriesContext(connection) as queries:
        summary = summarize(rows, columns=COLUMNS, lists={"topic": "topics"}, limit=8)

    assert len(queries) == 1
    assert summary.count == rows.count() == 3
    for facet, field in COLUMNS.items():
        assert summary.facets[facet] == top_values(rows, field, limit=8)
    # Elements counted like json_list_counts does, the empty one left out as in the columns.
    assert json_list_counts(rows, "topics", 8) == [("api", 3), ("", 1), ("cli", 1)]
    assert summary.facets["topic"] == [("api", 3, "api"), ("cli", 1, "cli")]


def test_limit_keeps_the_most_frequent_then_by_value(repositories):
    summary = summarize(Repository.objects.all(), columns={"language": "language"}, limit=2)

    assert summary.facets["language"] == [("Python", 2, "Python"), ("Go", 1, "Go")]


def test_an_empty_result_set(repositories):
    summary = summarize(
        Repository.objects.filter(pk__lt=0),
        columns=COLUMNS,
        lists={"topic": "topics"},
    )

    assert summary.count == 0
    assert summary.facets == {"language": [], "forge": [], "owner": [], "topic": []}


def test_a_related_facet_breaks_ties_by_name_not_by_key():
    for path in ["zeta", "alpha", "mu"]:  # created in this order: keys do not follow names
        RepositoryFactory(owner=OwnerFactory(path=path))
    RepositoryFactory(owner=OwnerFactory(path="busy", name=""))
    RepositoryFactory(owner=Repository.objects.get(owner__path="busy").owner)

    summary = summarize(Repository.objects.all(), columns={"owner": "owner__path"}, limit=3)

    assert summary.facets["owner"] == [("busy", 2, "busy"), ("alpha", 1, "alpha"), ("mu", 1, "mu")]


def test_a_mapped_facet_sums_its_keys_counts_per_value_with_its_label():
    """The ministry of an owner: several owners, one value, their rows added up."""
    culture = [OwnerFactory(path="bnf"), OwnerFactory(path="cnc")]
    RepositoryFactory(owner=culture[0])
    RepositoryFactory(owner=culture[0])
    RepositoryFactory(owner=culture[1])
    RepositoryFactory(owner=OwnerFactory(path="dinum"))
    RepositoryFactory(owner=OwnerFactory(path="unmapped"))
    labels = {"bnf": "culture", "cnc": "culture", "dinum": "premier-ministre"}
    mapping = Owner.objects.filter(path__in=labels).annotate(
        value=Case(
            *(When(path=path, then=Value(value)) for path, value in labels.items()),
            output_field=CharField(),
        ),
        label=Upper("value"),
    )

    summary = summarize(
        Repository.objects.all(),
        columns={"owner": "owner__path"},
        mapped={"owner": (mapping, {"ministry": ("value", "label")})},
    )

    assert summary.count == 5
    assert summary.facets["ministry"] == [
        ("culture", 3, "CULTURE"),
        ("premier-ministre", 1, "PREMIER-MINISTRE"),
    ]
    assert summary.facets["owner"][0] == ("bnf", 2, "bnf")


def test_a_distinct_mapping_joins_the_most_counted_keys_only_with_the_same_result():
    """Owners counted 3, 2, 2, 2, 1…: the first three by count then label are the same
    whether every counted owner is joined or only those at or above the third count."""
    counts = {"zeta": 3, "delta": 2, "beta": 2, "gamma": 2, "alpha": 1, "eta": 1, "omega": 1}
    for path, n in counts.items():
        RepositoryFactory.create_batch(n, owner=OwnerFactory(path=path))
    mapping = Owner.objects.annotate(address=Upper("path"))
    options = {
        "columns": {},
        "mapped": {"owner": (mapping, {"owner": ("address", "address")})},
        "limit": 3,
    }

    every = summarize(Repository.objects.all(), **options)
    with CaptureQueriesContext(connection) as captured:
        first = summarize(Repository.objects.all(), distinct=("owner",), **options)

    expected = [("ZETA", 3, "ZETA"), ("BETA", 2, "BETA"), ("DELTA", 2, "DELTA")]
    assert every.facets["owner"] == first.facets["owner"] == expected
    assert "WITH TIES" in captured.captured_queries[0]["sql"]
    assert first.count == every.count == 12


def test_rows_set_aside_are_counted_apart_in_the_same_statement(repositories):
    RepositoryFactory(language="Python", topics=["api"], is_archived=True)
    RepositoryFactory(language="Go", topics=["cli"], is_archived=True)
    rows = Repository.objects.filter(topics__contains=["api"])
    shown = rows.filter(is_archived=False)

    with CaptureQueriesContext(connection) as queries:
        summary = summarize(rows, columns=COLUMNS, lists={"topic": "topics"}, aside="is_archived")

    assert len(queries) == 1
    # The count and the facets are those of the rows not set aside; one archived row matched.
    assert (summary.count, summary.aside) == (shown.count(), 1) == (3, 1)
    without = summarize(shown, columns=COLUMNS, lists={"topic": "topics"})
    assert summary.facets == without.facets and without.aside is None
    assert summarize(rows.filter(pk__lt=0), columns=COLUMNS, aside="is_archived").aside == 0


@pytest.mark.parametrize(
    "order",
    [
        ("-stars", "full_path"),
        ("name", "full_path"),
        # Some rows have no date: NULLs placed as PostgreSQL places them in ORDER BY.
        ("-updated_at", "full_path"),
        ("-rank", "-score", "full_path"),
    ],
)
def test_the_page_asked_for_comes_from_the_same_statement_in_the_listings_order(order):
    for n in range(9):
        RepositoryFactory(
            name=f"outil-{n % 3}",
            stars=n % 4,
            score=n % 2,
            updated_at=None if n % 3 == 0 else f"2026-0{n % 5 + 1}-01T00:00:00Z",
            is_archived=n == 4,
        )
    rows = Repository.objects.search("outil").filter(stars__lt=3)
    shown = rows.filter(is_archived=False).order_by(*order)
    assert shown.count() == 6

    for offset in (0, 3, 6, 50):
        with CaptureQueriesContext(connection) as queries:
            summary = summarize(
                rows,
                columns=COLUMNS,
                aside="is_archived",
                page=PageWanted(order=order, offset=offset, limit=3),
            )
        assert len(queries) == 1
        assert summary.page_ids == list(shown.values_list("pk", flat=True)[offset : offset + 3])
    assert summary.page_ids == []  # past the end
    assert summarize(rows, columns=COLUMNS).page_ids is None  # no page asked for
    nothing = summarize(rows.filter(pk__lt=0), columns=COLUMNS, page=PageWanted(order, 0, 3))
    assert nothing.page_ids == []


@pytest.mark.parametrize(
    ("page", "per_page", "expected"),
    [
        ("", "20", (0, 20)),
        ("abc", "20", (0, 20)),  # paginate shows page 1
        ("3", "50", (100, 50)),
        ("10", "20", (180, 20)),
        ("11", "20", None),  # deeper: a top-N sort no longer; rows_of_page reads it
        ("0", "20", None),  # a 404 from paginate
        ("-2", "20", None),
        ("9" * 30, "20", None),
    ],
)
def test_the_page_a_search_asks_of_the_summary(rf, page, per_page, expected):
    request = rf.get("/depots/", {"q": "outil", "page": page, "per_page": per_page})
    order = ("-rank", "full_path", "pk")

    wanted = page_wanted(request, order, page_size(request))

    assert (wanted and (wanted.offset, wanted.limit)) == expected
    assert page_wanted(request, (F("stars").desc(), "pk"), 20) is None  # an expression
