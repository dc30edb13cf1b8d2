"""A listing's count and facet counts in one statement over its filtered rows.

One query per facet reads the whole filtered set once per facet (five or six times for the
repository listing, ~85 ms each at 100,000 repositories); here the filtered rows are read
once into a materialised CTE of the few columns the facets need, and every facet, the count
included, is an aggregate over that CTE. See ADR 0013.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections
from django.db.models import F

COUNT = "__count__"
ASIDE = "__aside__"

# {column} is one of our own aliases (f0, f1…); every value is a bound parameter.
# Every branch gives (facet, value, label, count).
COUNT_SQL = "(SELECT %s, NULL, NULL, COUNT(*) FROM m)"
VALUES_SQL = (
    "(SELECT %s, {column}::text, {column}::text, COUNT(*) FROM m WHERE {column}::text <> '' "
    "GROUP BY {column} ORDER BY 4 DESC, 2 LIMIT %s)"
)
# A facet on a related row's field (``owner__path``): the filtered rows keep the foreign key
# only and are counted per key; the few counted keys are then joined to their labels. Joining
# every filtered row to the related table first costs a pass over that table.
RELATED_SQL = (
    "(SELECT %s, l.{label}::text, l.{label}::text, t.n FROM {grouped} t "
    "JOIN {table} l ON l.{pk} = t.k WHERE l.{label}::text <> '' ORDER BY 4 DESC, 2 LIMIT %s)"
)
# Facets whose value and label a mapping query gives per key (the ministry of an owner):
# the keys' counts joined once to the mapping, then summed per value of each facet.
MAPPING_SQL = (
    "{name} AS MATERIALIZED (SELECT t.n, x.* FROM {grouped} t JOIN ({mapping}) AS x ON x.k = t.k)"
)
# The keys a mapping that gives each key its own value (an owner's address) joins: only
# those counted most, ties kept, since no other can reach the first `limit` values (at a
# million repositories a broad word counts 32,000 owners: 240 ms to join and group them all).
TOP_KEYS_SQL = "(SELECT k, n FROM {grouped} ORDER BY n DESC FETCH FIRST %s ROWS WITH TIES)"
MAPPED_SQL = (
    "(SELECT %s, x.{value}::text, x.{label}::text, SUM(x.n)::bigint FROM {mapping} x "
    "WHERE x.{value}::text <> '' GROUP BY 2, 3 ORDER BY 4 DESC, 3 LIMIT %s)"
)
# The filtered rows counted per key, once for every facet reading that key.
GROUPED_SQL = (
    "{name} AS MATERIALIZED (SELECT {column} AS k, COUNT(*) AS n FROM m "
    "WHERE {column} IS NOT NULL GROUP BY {column})"
)
LIST_SQL = (
    "(SELECT %s, e.value, e.value, COUNT(*) FROM m "
    "CROSS JOIN LATERAL jsonb_array_elements_text(m.{column}::jsonb) AS e(value) "
    "WHERE e.value <> '' GROUP BY e.value ORDER BY 4 DESC, 2 LIMIT %s)"
)
# A page of the rows in the listing's order, from the same pass (the search is not run a
# second time for the page's ids): each id with its position, numbered again after the LIMIT
# so that the order never depends on how UNION ALL appends its branches.
PAGE_SQL = (
    "(SELECT %s, p.i::text, NULL, row_number() OVER (ORDER BY {order}) "
    "FROM (SELECT * FROM m ORDER BY {order} LIMIT %s OFFSET %s) p)"
)
PAGE = "__page__"
SUMMARY_SQL = "WITH {rows}{grouped}{mappings} {branches}"
ROWS_SQL = "m AS MATERIALIZED ({rows})"
# With rows set aside (archived repositories): the filtered rows are read once into `a`; the
# count and the facets are over the others (`m`), and the rows set aside are only counted.
ASIDE_ROWS_SQL = "a AS MATERIALIZED ({rows}), m AS MATERIALIZED (SELECT * FROM a WHERE NOT aside)"
ASIDE_SQL = "(SELECT %s, NULL, NULL, COUNT(*) FROM a WHERE aside)"


@dataclass
class Summary:
    count: int
    # {facet: [(value, count, label)]}, most frequent first, then by value (by label for a
    # mapped facet); the label is the value itself except for mapped facets.
    facets: dict[str, list[tuple[str, int, str]]]
    # How many rows were set aside (None without `aside`).
    aside: int | None = None
    # The primary keys of the page asked for (`page`), in order; None when none was asked.
    page_ids: list | None = None


@dataclass(frozen=True)
class PageWanted:
    """A page of the rows the summary counts: `order` as QuerySet.order_by's field names
    ("-stars", "full_path"), the rows from `offset`, `limit` of them."""

    order: tuple[str, ...]
    offset: int
    limit: int


def summarize(
    queryset,
    *,
    columns: dict[str, str],
    lists=None,
    mapped=None,
    limit: int = 8,
    limits=None,
    aside: str | None = None,
    distinct=(),
    page: PageWanted | None = None,
) -> Summary:
    """The number of rows of `queryset` and the `limit` most frequent non-empty values of
    each facet (`limits` may give a facet its own): `columns` maps a facet to a field path
    (``"forge__host"``), `lists` to a JSON list field whose elements are counted
    (``"topics"``), `mapped` a key field to (a query of the related rows, {facet: (value
    field, label field)}): ``{"owner": (owners,
    {"ministry": ("ministry_slug", "ministry_name")})}``. `aside`: a boolean field whose
    true rows are left out of the count and the facets and counted apart (Summary.aside), in
    the same pass. `distinct`: the keys of `mapped` whose mapping gives every key its own,
    non-empty value (an owner's forge and path): only the keys counted most are joined.
    `page`: the primary keys of that page of the counted rows too (Summary.page_ids)."""
    lists, mapped = lists or {}, mapped or {}
    mapped_facets = {
        facet: (key, fields) for key, (_rows, by) in mapped.items() for facet, fields in by.items()
    }
    names = {facet: f"f{i}" for i, facet in enumerate([*columns, *lists])}
    quote = connections[queryset.db].ops.quote_name
    related = {
        facet: link
        for facet, path in columns.items()
        if (link := _related_label(queryset.model, path, quote)) is not None
    }
    selected = {
        names[facet]: F(related[facet][0] if facet in related else path)
        for facet, path in {**columns, **lists}.items()
    }
    # Facets on the same key (owner, public body, ministry) share one count per key.
    grouped = {}  # key attribute -> (CTE name, column alias)
    for facet in related:
        grouped.setdefault(related[facet][0], (f"g{len(grouped)}", names[facet]))
    for key in mapped:
        attname = _attname(queryset.model, key)
        if attname not in grouped:
            alias = f"k{len(grouped)}"
            selected[alias] = F(attname)
            grouped[attname] = (f"g{len(grouped)}", alias)
    if aside is not None:
        selected["aside"] = F(aside)
    if page is not None:
        selected["i"] = F("pk")
        selected |= {f"o{n}": F(field.removeprefix("-")) for n, field in enumerate(page.order)}
    rows = queryset.order_by().values(**selected)
    empty = Summary(
        count=0,
        facets={facet: [] for facet in [*names, *mapped_facets]},
        aside=None if aside is None else 0,
        page_ids=None if page is None else [],
    )
    # Django compiles the filters, joins and search: every value stays a bound parameter.
    try:
        rows_sql, params = rows.query.sql_with_params()
        mappings, mapping_params, columns_of = [], [], {}
        for i, (key, (related_rows, by)) in enumerate(mapped.items()):
            fields = {}
            for j, (facet, (value, label)) in enumerate(by.items()):
                fields |= {f"v{j}": value, f"l{j}": label}
                columns_of[facet] = (f"x{i}", f"v{j}", f"l{j}")
            mapping_sql, more_params = _mapping_sql(related_rows, tuple(fields.items()))
            group = grouped[_attname(queryset.model, key)][0]
            if key in distinct:
                group = TOP_KEYS_SQL.format(grouped=group)
                mapping_params.append(max((limits or {}).get(facet, limit) for facet in by))
            mappings.append(MAPPING_SQL.format(name=f"x{i}", grouped=group, mapping=mapping_sql))
            mapping_params += more_params
    except EmptyResultSet:  # a filter that can match nothing (an unknown id)
        return empty
    branches, branch_params = [COUNT_SQL], [COUNT]
    if aside is not None:
        branches.append(ASIDE_SQL)
        branch_params.append(ASIDE)
    for facet in [*names, *mapped_facets]:
        if facet in related:
            _key, table, pk, label = related[facet]
            group = grouped[related[facet][0]][0]
            template = RELATED_SQL.format(grouped=group, table=table, pk=pk, label=label)
        elif facet in mapped_facets:
            mapping, value, label = columns_of[facet]
            template = MAPPED_SQL.format(mapping=mapping, value=value, label=label)
        else:
            template = (VALUES_SQL if facet in columns else LIST_SQL).format(column=names[facet])
        branches.append(template)
        branch_params += [facet, (limits or {}).get(facet, limit)]
    if page is not None:
        order = ", ".join(
            f"o{n} {'DESC' if field.startswith('-') else 'ASC'}"
            for n, field in enumerate(page.order)
        )
        branches.append(PAGE_SQL.format(order=order))
        branch_params += [PAGE, page.limit, page.offset]
    sql = SUMMARY_SQL.format(
        rows=(ROWS_SQL if aside is None else ASIDE_ROWS_SQL).format(rows=rows_sql),
        grouped="".join(
            ", " + GROUPED_SQL.format(name=name, column=column) for name, column in grouped.values()
        ),
        mappings="".join(", " + mapping for mapping in mappings),
        branches=" UNION ALL ".join(branches),
    )
    facets, count, aside_count, placed = empty.facets, 0, empty.aside, []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, [*params, *mapping_params, *branch_params])
        for facet, value, label, n in cursor.fetchall():
            if facet == COUNT:
                count = n
            elif facet == ASIDE:
                aside_count = n
            elif facet == PAGE:
                placed.append((n, value))
            else:
                facets[facet].append((value, n, label))
    page_ids = None
    if page is not None:
        to_python = queryset.model._meta.pk.to_python
        page_ids = [to_python(value) for _n, value in sorted(placed)]
    return Summary(count=count, facets=facets, aside=aside_count, page_ids=page_ids)


@lru_cache(maxsize=64)
def _mapping_sql(related_rows, fields: tuple) -> tuple[str, tuple]:
    """The SQL and parameters of a mapping query: (key, value and label fields…) of
    `related_rows`. Compiled once per query object and fields: a caller's mapping is a
    query built once per process (catalog.filters), whose SQL never changes, and compiling
    the two of the repository listing took ~1.5 ms of every summary."""
    mapping = related_rows.order_by().values(k=F("pk"), **{name: F(f) for name, f in fields})
    sql, params = mapping.query.sql_with_params()
    return sql, tuple(params)


def _attname(model, name: str) -> str:
    """The column attribute of a field (``owner`` → ``owner_id``), the name otherwise."""
    try:
        return model._meta.get_field(name).attname
    except FieldDoesNotExist:  # a path across relations, or an annotation: used as given
        return name


def _related_label(model, path: str, quote):
    """(foreign key attribute, table, primary key column, label column), quoted, when `path`
    is a field of a row the model points to (``owner__path``); else None."""
    parts = path.split("__")
    if len(parts) != 2:
        return None
    field = model._meta.get_field(parts[0])
    if not (field.many_to_one and field.concrete):
        return None
    target = field.related_model._meta
    return (
        field.attname,
        quote(target.db_table),
        quote(target.pk.column),
        quote(target.get_field(parts[1]).column),
    )
