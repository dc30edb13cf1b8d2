"""A repository's public body (catalog 0021) is derived from its owner and forge by triggers:
not a change of the repository for the API's mirrors (ADR 16)."""

import json

from django.db import migrations

BEFORE = [
    "search_vector",
    "last_seen_at",
    "fingerprint",
    "raw",
    "inspected_activity_at",
    "archive_checked_at",
]
AFTER = [*BEFORE, "public_body_id"]


def trigger(ignored):
    argument = json.dumps(dict.fromkeys(["modified_at", *ignored]))
    return f"""
DROP TRIGGER IF EXISTS api_touch_modified_at ON catalog_repository;
CREATE TRIGGER api_touch_modified_at BEFORE INSERT OR UPDATE ON catalog_repository
    FOR EACH ROW EXECUTE FUNCTION api_touch_modified_at('{argument}');
"""


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_bluehats"),
        ("catalog", "0021_repository_public_body"),
    ]

    operations = [migrations.RunSQL(trigger(AFTER), reverse_sql=trigger(BEFORE))]
