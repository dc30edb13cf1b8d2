"""A Software Heritage check that finds the same state only moves archive_checked_at: no
change for the API's mirrors (ADR 18), like the harvest's own bookkeeping columns."""

import json

from django.db import migrations

BEFORE = ["search_vector", "last_seen_at", "fingerprint", "raw", "inspected_activity_at"]
AFTER = [*BEFORE, "archive_checked_at"]


def trigger(ignored):
    argument = json.dumps(dict.fromkeys(["modified_at", *ignored]))
    return f"""
DROP TRIGGER IF EXISTS api_touch_modified_at ON catalog_repository;
CREATE TRIGGER api_touch_modified_at BEFORE INSERT OR UPDATE ON catalog_repository
    FOR EACH ROW EXECUTE FUNCTION api_touch_modified_at('{argument}');
"""


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("catalog", "0015_software_heritage"),
    ]

    operations = [migrations.RunSQL(trigger(AFTER), reverse_sql=trigger(BEFORE))]
