"""Text search helpers shared by every listing: the cleaning of a query, and the accent- and
case-insensitive substring match used for small tables (SILL, contributions). The full-text
search of repositories, with its stored vectors, lives in catalog.search."""

from __future__ import annotations

import unicodedata

from django.contrib.postgres.lookups import Unaccent
from django.contrib.postgres.search import SearchVectorExact, SearchVectorField
from django.db import connection
from django.db.models import F, Func, Q, TextField
from django.db.models.functions import Cast, Lower

from core.text import clean_line, strip_accents

MAX_QUERY_LENGTH = 200


def clean_query(text: str) -> str:
    """A search on one line, bounded; control characters mean nothing in a search, nor do
    the invisible format characters (a right-to-left override would reverse the text
    around the search shown back, a zero-width space would split a word)."""
    text = clean_line(text, max_length=MAX_QUERY_LENGTH)
    if any(unicodedata.category(char) == "Cf" for char in text):
        text = clean_line("".join(c for c in text if unicodedata.category(c) != "Cf"))
    return text


def substring_search(queryset, text: str, fields):
    """``queryset`` rows where one of ``fields`` contains ``text``, whatever the accents and
    the case (JSON lists included, as text)."""
    needle = strip_accents(clean_query(text)).lower()
    if not needle:
        return queryset
    haystack = {
        f"_s_{i}": Lower(Unaccent(Cast(field, TextField()))) for i, field in enumerate(fields)
    }
    condition = Q()
    for name in haystack:
        condition |= Q(**{f"{name}__contains": needle})
    return queryset.annotate(**haystack).filter(condition)


def matched_in(vector: str, query, weights: str) -> SearchVectorExact:
    """A condition (for ``When``/``filter``): the stored tsvector ``vector`` matches
    ``query`` with the words of the given ``weights`` alone ("ab": the A and B parts)."""
    if not weights.isalpha() or not set(weights) <= set("abcd"):
        raise ValueError(f"weights are letters among a, b, c, d: {weights!r}")
    part = Func(
        F(vector),
        function="ts_filter",
        template=f"%(function)s(%(expressions)s, '{{{','.join(weights)}}}')",
        output_field=SearchVectorField(),
    )
    return SearchVectorExact(part, query)


def json_list_contains(field: str, value: str) -> Q:
    """Rows whose JSON list `field` holds `value` (exact element)."""
    return Q(**{f"{field}__contains": [value]})


# {table}, {column}, {pk} are the model's own names, {ids} is Django's own compiled
# subquery: every value stays a bound parameter.
JSON_LIST_COUNTS_SQL = (
    "SELECT t.value, COUNT(*) AS n FROM {table} r "
    "CROSS JOIN LATERAL jsonb_array_elements_text(r.{column}::jsonb) AS t(value) "
    "WHERE r.{pk} IN ({ids}) GROUP BY t.value ORDER BY n DESC, t.value LIMIT %s"
)


def json_list_counts(queryset, column: str, limit: int) -> list[tuple[str, int]]:
    """[(element, count)] of the `limit` most frequent elements of the JSON list `column`
    over the rows of `queryset`."""
    meta = queryset.model._meta
    quote = connection.ops.quote_name
    ids_sql, params = queryset.order_by().values("pk").query.sql_with_params()
    sql = JSON_LIST_COUNTS_SQL.format(
        table=quote(meta.db_table),
        column=quote(meta.get_field(column).column),
        pk=quote(meta.pk.column),
        ids=ids_sql,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [(value, n) for value, n in cursor.fetchall()]
