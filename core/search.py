"""Text search helpers shared by every listing: the cleaning of a query, and the accent- and
case-insensitive substring match used for small tables (SILL, contributions). The full-text
search of repositories, with its stored vectors, lives in catalog.search."""

from __future__ import annotations

from django.contrib.postgres.lookups import Unaccent
from django.db import connection
from django.db.models import Q, TextField
from django.db.models.functions import Cast, Lower

from core.text import clean_line, strip_accents

MAX_QUERY_LENGTH = 200


def clean_query(text: str) -> str:
    """A search on one line, bounded; control characters mean nothing in a search."""
    return clean_line(text, max_length=MAX_QUERY_LENGTH)


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
