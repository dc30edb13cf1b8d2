"""Full-text search over repositories.

PostgreSQL: a stored `search_vector` (name A > topics B > description C > owner D) built with
the `codegouv_fr` configuration (French stemming, accents ignored), ranked with ts_rank, and
a trigram fallback on names when the text search finds nothing (typos). SQLite: an
accent-insensitive substring match over the same fields.
"""

from __future__ import annotations

import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import F, FloatField, Q, TextField, Value
from django.db.models.functions import Cast, Lower
from django.dispatch import receiver

from core.text import clean_line

MAX_QUERY_LENGTH = 200
TRIGRAM_THRESHOLD = 0.45
# What the SQLite fallback of search() looks in.
SQLITE_FIELDS = ("name", "description", "topics", "owner__path", "owner__name")

VECTOR_SQL = """
UPDATE catalog_repository AS r SET search_vector =
    setweight(to_tsvector('codegouv_fr', coalesce(r.name, '')), 'A')
    || setweight(to_tsvector('codegouv_fr',
        translate(coalesce(r.topics::text, ''), '[]",', '    ')), 'B')
    || setweight(to_tsvector('codegouv_fr', coalesce(r.description, '')), 'C')
    || setweight(to_tsvector('codegouv_fr',
        coalesce(o.path, '') || ' ' || coalesce(o.name, '')), 'D')
FROM catalog_owner AS o
WHERE o.id = r.owner_id {where}
"""


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@receiver(connection_created)
def _sqlite_unaccent(sender, connection, **kwargs):
    """Give SQLite the UNACCENT() function PostgreSQL's extension provides."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "UNACCENT",
            1,
            lambda value: strip_accents(value) if value else value,
            deterministic=True,
        )


def update_search_vectors(*, ids=None, forge_id=None, remote_ids=None) -> None:
    """Recompute the stored vectors: of repository `ids`, of `remote_ids` on `forge_id`, of
    a whole forge, or of everything."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if ids is not None:
            ids = list(ids)
            if ids:
                cursor.execute(VECTOR_SQL.format(where="AND r.id = ANY(%s)"), [ids])
        elif remote_ids is not None:
            remote_ids = list(remote_ids)
            if remote_ids:
                cursor.execute(
                    VECTOR_SQL.format(where="AND r.forge_id = %s AND r.remote_id = ANY(%s)"),
                    [forge_id, remote_ids],
                )
        elif forge_id is not None:
            cursor.execute(VECTOR_SQL.format(where="AND r.forge_id = %s"), [forge_id])
        else:
            cursor.execute(VECTOR_SQL.format(where=""))


def substring_search(queryset, text: str, fields):
    """``queryset`` rows where one of ``fields`` contains ``text``, whatever the accents and
    the case (JSON lists included, as text): the search of small tables, and of everything
    on SQLite."""
    from django.contrib.postgres.lookups import Unaccent

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


def clean_query(text: str) -> str:
    """A search on one line, bounded; control characters mean nothing in a search."""
    return clean_line(text, max_length=MAX_QUERY_LENGTH)


def search(queryset, text: str):
    """`queryset` narrowed to `text`, annotated with `rank` (higher is better)."""
    raw, text = text, clean_query(text)
    if not text:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config="codegouv_fr", search_type="websearch")
        found = queryset.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
        if found.exists():
            return found
        # Nothing matched word for word: try names that look alike (typos).
        from django.contrib.postgres.search import TrigramWordSimilarity

        return (
            queryset.filter(name__trigram_word_similar=text)
            .annotate(rank=TrigramWordSimilarity(text, "name"))
            .filter(rank__gte=TRIGRAM_THRESHOLD)
        )
    # substring_search cleans `raw` itself: the same text as above.
    return substring_search(queryset, raw, SQLITE_FIELDS).annotate(
        rank=Value(0.0, output_field=FloatField())
    )
