"""Search machinery: unaccent, pg_trgm, a French text search configuration that ignores
accents, and the GIN indexes on the stored vector, names and topics."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'codegouv_fr') THEN
            CREATE TEXT SEARCH CONFIGURATION codegouv_fr (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION codegouv_fr
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END $$""",
    "CREATE INDEX IF NOT EXISTS catalog_repo_search ON catalog_repository USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS catalog_repo_name_trgm ON catalog_repository "
    "USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_repo_topics ON catalog_repository "
    "USING gin (topics jsonb_path_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalog_repo_topics",
    "DROP INDEX IF EXISTS catalog_repo_name_trgm",
    "DROP INDEX IF EXISTS catalog_repo_search",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS codegouv_fr",
]


def run(statements):
    def apply(apps, schema_editor):
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_vector")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
