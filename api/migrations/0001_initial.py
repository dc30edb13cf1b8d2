import json

import django.db.models.functions.datetime
from django.db import migrations, models

# The tables the API serves, and the columns whose change alone is no change for it (its
# own stamp, harvest bookkeeping, search vectors, raw payloads, Django's auto_now dates,
# generated columns).
TABLES = {
    "catalog_forge": [
        "updated_at", "last_attempt_at", "last_success_at", "last_error", "conditional_state",
    ],
    "catalog_owner": [
        "updated_at", "last_attempt_at", "last_success_at", "last_error", "conditional_state",
        "raw",
    ],
    "catalog_publicbody": ["updated_at"],
    "catalog_repository": [
        "search_vector", "last_seen_at", "fingerprint", "raw", "inspected_activity_at",
    ],
    "sill_software": ["updated_at", "search_vector"],
    # A generated column reads NULL in a BEFORE trigger; project_url says when it changes.
    "contributions_contribution": ["updated_at", "project_key"],
}

FUNCTIONS = """
CREATE OR REPLACE FUNCTION api_touch_modified_at() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- {"column": null, …}: the columns left out of the comparison (its only argument).
    ignored jsonb;
BEGIN
    -- The stamp belongs to the database: whatever the statement wrote is replaced.
    IF TG_OP = 'INSERT' THEN
        NEW.modified_at := clock_timestamp();
        RETURN NEW;
    END IF;
    ignored := TG_ARGV[0]::jsonb;
    -- Both rows with the ignored columns set to NULL: cheap, the large ones (raw payloads,
    -- search vectors) are not converted (to_jsonb of the whole row doubled an update).
    IF jsonb_populate_record(NEW, ignored) IS DISTINCT FROM jsonb_populate_record(OLD, ignored)
    THEN
        NEW.modified_at := clock_timestamp();
    ELSE
        NEW.modified_at := OLD.modified_at;
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION api_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO api_deletion (source_table, object_id, deleted_at)
    VALUES (TG_TABLE_NAME, OLD.id, clock_timestamp());
    RETURN OLD;
END;
$$;
"""


def arguments(columns):
    """The trigger's argument: a JSON object of NULLs, the stamp itself included."""
    return "'" + json.dumps(dict.fromkeys(["modified_at", *columns])) + "'"


TRIGGERS = "".join(
    f"""
CREATE TRIGGER api_touch_modified_at BEFORE INSERT OR UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION api_touch_modified_at({arguments(ignored)});
CREATE TRIGGER api_record_deletion AFTER DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION api_record_deletion();
"""
    for table, ignored in TABLES.items()
)
DROP_TRIGGERS = "".join(
    f"""
DROP TRIGGER IF EXISTS api_touch_modified_at ON {table};
DROP TRIGGER IF EXISTS api_record_deletion ON {table};
"""
    for table in TABLES
)
DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS api_touch_modified_at();
DROP FUNCTION IF EXISTS api_record_deletion();
"""


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("catalog", "0014_api_modified_at"),
        ("sill", "0004_api_modified_at"),
        ("contributions", "0003_api_modified_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="Deletion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source_table", models.CharField(max_length=63, verbose_name="table")),
                ("object_id", models.BigIntegerField(verbose_name="identifiant")),
                ("deleted_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), verbose_name="supprimé le")),
            ],
            options={
                "verbose_name": "suppression",
                "verbose_name_plural": "suppressions",
                "indexes": [models.Index(fields=["source_table", "deleted_at", "object_id"], name="api_deletion_sync")],
            },
        ),
        migrations.RunSQL(FUNCTIONS + TRIGGERS, DROP_TRIGGERS + DROP_FUNCTIONS),
    ]
