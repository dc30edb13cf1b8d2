"""Full-text search over repositories: a stored `search_vector` (name A > topics B >
description C > owner D) built with the `codegouv_fr` configuration (French stemming, accents
ignored), ranked with ts_rank; when no repository has every word, those with some of them;
then a trigram fallback on names (typos). Query cleaning and the substring search of small
tables are in core.search.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, FloatField, Value

from core.search import clean_query

TRIGRAM_THRESHOLD = 0.45

# The vector of repository row `r` owned by owner row `o` (both aliases in the query).
VECTOR_EXPRESSION = """
    setweight(to_tsvector('codegouv_fr', coalesce(r.name, '')), 'A')
    || setweight(to_tsvector('codegouv_fr',
        translate(coalesce(r.topics::text, ''), '[]",', '    ')), 'B')
    || setweight(to_tsvector('codegouv_fr', coalesce(r.description, '')), 'C')
    || setweight(to_tsvector('codegouv_fr',
        coalesce(o.path, '') || ' ' || coalesce(o.name, '')), 'D')
"""
VECTOR_SQL = f"""
UPDATE catalog_repository AS r SET search_vector = {VECTOR_EXPRESSION}
FROM catalog_owner AS o
WHERE o.id = r.owner_id {{where}}
"""  # noqa: S608 - constants only


def update_search_vectors(*, ids=None, forge_id=None, remote_ids=None) -> None:
    """Recompute the stored vectors: of repository `ids`, of `remote_ids` on `forge_id`, of
    a whole forge, or of everything."""
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


def search(queryset, text: str):
    """`queryset` narrowed to `text`, annotated with `rank` (higher is better)."""
    text = clean_query(text)
    if not text:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    query = SearchQuery(text, config="codegouv_fr", search_type="websearch")
    found = queryset.filter(search_vector=query).annotate(
        rank=SearchRank(F("search_vector"), query)
    )
    if found.exists():
        return found
    words = text.split()
    if len(words) > 1:
        # No repository has every word: those with some of them, the most matched first
        # ("données foncières" finds the DVF data and the land tax code).
        any_word = SearchQuery(" or ".join(words), config="codegouv_fr", search_type="websearch")
        found = queryset.filter(search_vector=any_word).annotate(
            rank=SearchRank(F("search_vector"), any_word)
        )
        if found.exists():
            return found
    # Nothing matched word for word: try names that look alike (typos).
    return (
        queryset.filter(name__trigram_word_similar=text)
        .annotate(rank=TrigramWordSimilarity(text, "name"))
        .filter(rank__gte=TRIGRAM_THRESHOLD)
    )
