"""The Éditeur role: DINUM's free-software unit running the portal from the admin."""

from django.apps import apps as global_apps

EDITOR_GROUP = "Éditeur"

# (app label, model, actions). Editors curate content and supervise harvests; they do not
# manage accounts, groups or permissions, and harvested data is read-only to them.
EDITOR_PERMISSIONS = [
    ("catalog", "publicbody", ("add", "change", "view")),
    ("catalog", "forge", ("add", "change", "view")),
    ("catalog", "owner", ("add", "change", "view")),
    ("catalog", "repository", ("change", "view")),
    ("catalog", "harvestrun", ("view",)),
    ("catalog", "library", ("view",)),
    ("sill", "software", ("add", "change", "view")),
    ("sill", "declaration", ("change", "view")),
    ("sill", "instance", ("add", "change", "delete", "view")),
    ("sill", "externalvalue", ("view",)),
    ("editorial", "guidepage", ("add", "change", "delete", "view")),
    ("editorial", "highlight", ("add", "change", "delete", "view")),
    ("contributions", "contribution", ("change", "view")),
    ("contributions", "unpublishedcode", ("change", "view")),
    ("bluehats", "event", ("add", "change", "delete", "view")),
    ("bluehats", "gazetteissue", ("add", "change", "delete", "view")),
]
# Permissions that are not one of a model's add/change/delete/view.
EDITOR_EXTRA_PERMISSIONS = [("accounts", "moderate_declarations")]


def sync_editor_group(apps, schema_editor=None, *, keep_others=False):
    """Create the group with exactly EDITOR_PERMISSIONS (for the models that exist yet).

    With ``keep_others`` (after every ``migrate``), only add what is missing: permissions an
    administrator granted the group by hand stay.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Migrations' historical apps have no models module, which create_permissions skips.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = models_module
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
    if keep_others:
        group.permissions.add(*permissions)
    else:
        group.permissions.set(permissions)


def sync_editor_group_after_migrate(sender, *, apps=global_apps, **kwargs):
    """post_migrate: once every app's tables exist (the editorial models included, whose
    migrations may run after the ones that built the group), the group lacks nothing.

    ``migrate`` sends its migrations' apps; ``flush`` (between browser tests) sends none."""
    sync_editor_group(apps, keep_others=True)
