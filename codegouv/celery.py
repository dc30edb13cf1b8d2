"""The Celery application: broker, schedule and limits come from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codegouv.settings")

app = Celery("codegouv")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
