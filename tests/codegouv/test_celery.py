from django.conf import settings

from codegouv.celery import app as celery_app
from codegouv.tasks import ping


def test_every_beat_entry_names_a_registered_task():
    celery_app.loader.import_default_modules()
    registered = set(celery_app.tasks.keys())

    assert settings.CELERY_BEAT_SCHEDULE, "the beat schedule should not be empty"
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in registered, f"beat entry {name!r} names an unknown task"


def test_ping_answers_pong_and_healthz_shows_when_a_worker_last_ran(client, db):
    assert client.get("/healthz").json()["last_worker_ping"] is None

    result = ping.delay()

    assert result.get(timeout=5) == "pong"
    assert client.get("/healthz").json()["last_worker_ping"] is not None
