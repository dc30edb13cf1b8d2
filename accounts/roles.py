"""The Éditeur role: DINUM's free-software unit running the portal from the admin."""

EDITOR_GROUP = "Éditeur"

# (app label, model, actions). Editors curate content and supervise harvests; they do not
# manage accounts, groups or permissions, and harvested data is read-only to them.
EDITOR_PERMISSIONS = [
    ("catalog", "publicbody", ("add", "change", "view")),
    ("catalog", "forge", ("add", "change", "view")),
    ("catalog", "owner", ("add", "change", "view")),
    ("catalog", "repository", ("change", "view")),
    ("catalog", "harvestrun", ("view",)),
    ("sill", "software", ("add", "change", "view")),
    ("sill", "declaration", ("change", "view")),
    ("sill", "instance", ("add", "change", "delete", "view")),
    ("sill", "externalvalue", ("view",)),
    ("editorial", "guidepage", ("add", "change", "delete", "view")),
    ("editorial", "highlight", ("add", "change", "delete", "view")),
    ("contributions", "contribution", ("change", "view")),
    ("contributions", "unpublishedcode", ("change", "view")),
]
# Permissions that are not one of a model's add/change/delete/view.
EDITOR_EXTRA_PERMISSIONS = [("accounts", "moderate_declarations")]


def sync_editor_group(apps, schema_editor=None):
    """Create the group with exactly EDITOR_PERMISSIONS (for the models that exist yet)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    wanted = [
        (app_label, f"{action}_{model}")
        for app_label, model, actions in EDITOR_PERMISSIONS
        for action in actions
    ] + EDITOR_EXTRA_PERMISSIONS
    permissions = [
        permission
        for permission in Permission.objects.select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    group.permissions.set(permissions)
