"""Settings read from the environment, checked in a fresh interpreter for each environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "k3Yq9-long-random-production-like-secret-0123456789abcdefghijklmn"
# Settings require a database; none of these checks connects to it.
SOME_DATABASE = "postgres://codegouv@db.example:5432/codegouv"


def run_python(code: str, **environ: str) -> subprocess.CompletedProcess:
    """Run `code` with the settings module and only the given variables set (and
    DATABASE_URL=SOME_DATABASE unless given)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CODEGOUV_", "GUNICORN_"))
        and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env["DATABASE_URL"] = SOME_DATABASE
    env.update(environ)
    env["DJANGO_SETTINGS_MODULE"] = "codegouv.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read_settings(*names: str, **environ: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "from codegouv.celery import app; "
        f"print(json.dumps({{n: str(getattr(settings, n)) for n in {list(names)!r}}} | "
        "{'eager': app.conf.task_always_eager, 'broker': app.conf.broker_url}))"
    )
    result = run_python(code, **environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def manage(*args: str, **environ: str) -> subprocess.CompletedProcess:
    return run_python(
        f"import sys; sys.argv = ['manage.py', *{list(args)!r}]; from manage import main; main()",
        **environ,
    )


def test_without_database_url_start_up_stops_with_one_line_naming_the_make_targets():
    result = manage("check", DJANGO_DEBUG="true", DATABASE_URL="")

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: DATABASE_URL: not set; expected "
        "postgres://USER:PASSWORD@HOST:PORT/NAME (make run, make dev and make test start "
        "an embedded PostgreSQL when it is unset)"
    )


def test_an_sqlite_url_is_refused_in_one_line():
    result = manage("check", DJANGO_DEBUG="true", DATABASE_URL="sqlite:////tmp/db.sqlite3")

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: DATABASE_URL: SQLite is not supported, PostgreSQL only: "
        "expected postgres://USER:PASSWORD@HOST:PORT/NAME"
    )


def test_database_url_selects_postgresql():
    values = read_settings(
        "DATABASES", DJANGO_DEBUG="true", DATABASE_URL="postgres://app:pw@db.example:6543/portal"
    )
    assert "django.db.backends.postgresql" in values["DATABASES"]
    assert "'HOST': 'db.example'" in values["DATABASES"]
    assert "'PORT': 6543" in values["DATABASES"]


def test_a_unix_socket_folder_in_the_database_url_is_the_host():
    # The form scripts/with_database.py hands out for the embedded server.
    values = read_settings(
        "DATABASES", DJANGO_DEBUG="true", DATABASE_URL="postgres://postgres@/codegouv?host=/srv/pg"
    )
    assert "'HOST': '/srv/pg'" in values["DATABASES"]
    assert "'NAME': 'codegouv'" in values["DATABASES"]


def test_without_redis_url_tasks_run_in_process_and_the_cache_is_local():
    values = read_settings("CACHES", DJANGO_DEBUG="true")
    assert values["eager"] is True
    assert values["broker"].startswith("memory://")
    assert "LocMemCache" in values["CACHES"]


def test_a_task_run_in_process_logs_no_broker_warning():
    # The quick start (no Redis) used to print kombu's "No hostname was supplied" warning.
    result = run_python(
        "import django; django.setup()\nfrom codegouv.tasks import ping\nprint(ping.delay().get())",
        DJANGO_DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    # Logs go to stdout, as the task's own INFO line shows.
    assert "succeeded" in result.stdout
    assert result.stdout.strip().endswith("pong")
    assert "WARNING" not in result.stdout + result.stderr


def test_redis_url_makes_redis_the_broker_and_the_cache():
    values = read_settings("CACHES", DJANGO_DEBUG="true", REDIS_URL="redis://127.0.0.1:6379/3")
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert "RedisCache" in values["CACHES"]


def test_debug_is_off_unless_asked():
    values = read_settings("DEBUG", DJANGO_SECRET_KEY=PRODUCTION_KEY)
    assert values["DEBUG"] == "False"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysql://root@localhost/codegouv"),
        ("DATABASE_URL", "postgres://user@localhost:port/codegouv"),
        ("DATABASE_URL", "postgres://user@localhost:5432"),
        ("REDIS_URL", "localhost:6379"),
        ("REDIS_URL", "redis://localhost:sixthousand/0"),
        ("DJANGO_DEBUG", "maybe"),
        ("DJANGO_CSRF_TRUSTED_ORIGINS", "code.gouv.fr"),
        ("DJANGO_HSTS_SECONDS", "a year"),
        ("DJANGO_LOG_LEVEL", "LOUD"),
        ("EMAIL_URL", "mail.example.fr:25"),
        ("EMAIL_URL", "smtp://"),
        ("PUBLIC_AGENT_EMAIL_DOMAINS", "gouv.fr,https://example.fr"),
        ("API_RATE_LIMIT", "5000"),
        ("API_RATE_LIMIT", "5000/fortnight"),
        ("API_SEARCH_RATE_LIMIT", "0/minute"),
    ],
)
def test_a_malformed_value_stops_start_up_with_one_line_naming_the_variable(variable, value):
    environ = {"DJANGO_SECRET_KEY": PRODUCTION_KEY, variable: value}
    result = manage("check", **environ)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {variable}: ")
    assert "Traceback" not in result.stderr


def test_email_url_sends_through_smtp_else_mails_go_to_the_log():
    smtp = read_settings(
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_TLS",
        "EMAIL_HOST_USER",
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        EMAIL_URL="smtp+tls://portail:secret@smtp.example.fr:587",
    )
    unset = read_settings("EMAIL_BACKEND", DJANGO_SECRET_KEY=PRODUCTION_KEY)

    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]) == (
        "smtp.example.fr",
        "587",
        "True",
    )
    assert smtp["EMAIL_HOST_USER"] == "portail"
    assert unset["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_secret_key_is_required_when_debug_is_off():
    result = manage("check")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: DJANGO_SECRET_KEY: required when DJANGO_DEBUG is off "
        "(a long random string)"
    )


def test_gunicorn_entry_point_reports_a_bad_setting_in_one_line():
    result = run_python(
        "import codegouv.wsgi", DJANGO_SECRET_KEY=PRODUCTION_KEY, DATABASE_URL="postgres:/nowhere"
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Configuration error: DATABASE_URL: ")


def test_check_deploy_is_clean_in_a_production_like_environment():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        DJANGO_ALLOWED_HOSTS="code.gouv.fr",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://code.gouv.fr",
        DJANGO_BEHIND_TLS_PROXY="true",
        DATABASE_URL="postgres://codegouv@db:5432/codegouv",
        REDIS_URL="redis://redis:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_api_rate_limits_read_requests_per_period():
    values = read_settings(
        "API_RATE_LIMIT",
        "API_SEARCH_RATE_LIMIT",
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        API_RATE_LIMIT="100/day",
    )

    assert values["API_RATE_LIMIT"] == "(100, 86400)"
    assert values["API_SEARCH_RATE_LIMIT"] == "(60, 60)"
