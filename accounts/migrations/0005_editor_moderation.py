from django.db import migrations

from accounts.roles import sync_editor_group


class Migration(migrations.Migration):
    """Editors moderate declarations and curate contributions and unpublished code."""

    dependencies = [
        ("accounts", "0004_agent_profile"),
        ("contributions", "0001_initial"),
        ("sill", "0002_moderation"),
    ]

    operations = [migrations.RunPython(sync_editor_group, migrations.RunPython.noop)]
