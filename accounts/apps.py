from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from accounts.roles import sync_editor_group_after_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes")

    def ready(self):
        # Sent once per app at the end of every migrate: answer it once, for accounts.
        post_migrate.connect(
            sync_editor_group_after_migrate, sender=self, dispatch_uid="accounts_editor_group"
        )
