from django.apps import AppConfig


class CodegouvConfig(AppConfig):
    """The project package is an app too, for its shared templatetags, tasks and commands."""

    name = "codegouv"
    verbose_name = "codegouv"
