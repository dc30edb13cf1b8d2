"""The BlueHats tables the API serves (events, gazette issues, contributor profiles): their
modified_at stamped by the database, their deletions logged (the triggers of 0001)."""

import json

from django.db import migrations

# Columns whose change alone is no change for the API: Django's auto_now date.
TABLES = {
    "bluehats_event": ["updated_at"],
    "bluehats_gazetteissue": ["updated_at"],
    "bluehats_contributorprofile": ["updated_at"],
}


def argument(ignored):
    return "'" + json.dumps(dict.fromkeys(["modified_at", *ignored])) + "'"


TRIGGERS = "".join(
    f"""
CREATE TRIGGER api_touch_modified_at BEFORE INSERT OR UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION api_touch_modified_at({argument(ignored)});
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


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_archive_check_is_bookkeeping"),
        ("bluehats", "0002_api_modified_at"),
    ]

    operations = [migrations.RunSQL(TRIGGERS, DROP_TRIGGERS)]
