"""The Celery application: broker, schedule and limits come from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.conf import settings

from core.db import reset_statement_timeout, set_statement_timeout

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codegouv.settings")

app = Celery("codegouv")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _tasks_run_without_the_web_statement_timeout(**_kwargs):
    """A task run in a web process (in-process tasks of `make run`) may run long statements
    (a harvest, the search vectors): the web's statement timeout is for visitors' requests.
    Tasks have Celery's own time limits."""
    if settings.DATABASE_STATEMENT_TIMEOUT:
        set_statement_timeout(0)


@task_postrun.connect
def _back_to_the_statement_timeout(**_kwargs):
    if settings.DATABASE_STATEMENT_TIMEOUT:
        reset_statement_timeout()
