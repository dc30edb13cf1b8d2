from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = _("Contributions")
    # Its data sets in the full dumps of /donnees/ (catalog.exports.Dump).
    open_data = "contributions.exports.DUMPS"
