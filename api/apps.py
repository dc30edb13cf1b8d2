from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API publique")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from corsheaders.signals import check_request_enabled

        from api.cors import cors_allowed

        check_request_enabled.connect(cors_allowed, dispatch_uid="api.cors_allowed")
