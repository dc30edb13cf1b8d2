from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BluehatsConfig(AppConfig):
    name = "bluehats"
    verbose_name = _("BlueHats")
    # The real webinars, meetups and gazette issues of code.gouv.fr (bluehats/data/).
    demo_loader = "bluehats.demo.load"
