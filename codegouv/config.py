"""Reading the environment for settings.py: typed values that fail with one clear line.

django-environ parses; this module turns its many failure modes (ValueError, KeyError,
silently odd results) into a single ``ConfigurationError`` that names the variable, so an
operator sees ``DATABASE_URL: …`` instead of a traceback.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

SUPPORTED_DATABASE_SCHEMES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
}
DATABASE_URL_FORM = "postgres://USER:PASSWORD@HOST:PORT/NAME"


class ConfigurationError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed."""

    def __init__(self, variable: str, problem: str):
        self.variable = variable
        super().__init__(f"{variable}: {problem}")


def _read(variable: str, cast, default):
    try:
        return env.get_value(variable, cast=cast, default=default)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(variable, f"malformed value ({exc})") from None


def get_bool(variable: str, *, default: bool) -> bool:
    raw = env.str(variable, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(variable, f"expected true or false, got {raw!r}")


def get_int(variable: str, *, default: int, minimum: int = 0) -> int:
    value = _read(variable, int, default)
    if value < minimum:
        raise ConfigurationError(variable, f"must be at least {minimum}, got {value}")
    return value


def get_str(variable: str, *, default: str = "") -> str:
    return env.str(variable, default=default).strip()


def get_list(variable: str, *, default: list[str] | None = None) -> list[str]:
    raw = env.str(variable, default="")
    if not raw.strip():
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def get_origins(variable: str) -> list[str]:
    origins = get_list(variable)
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ConfigurationError(
                variable, f"{origin!r} is not an origin such as https://code.gouv.fr"
            )
    return origins


def get_database(variable: str) -> dict:
    """The PostgreSQL database named by ``variable``, which is required: the Makefile's
    `run`, `dev` and `test` set it to an embedded server when it is unset
    (scripts/with_database.py). A socket folder goes in the query: postgres://USER@/NAME?host=/dir
    """
    raw = env.str(variable, default="").strip()
    if not raw:
        raise ConfigurationError(
            variable,
            f"not set; expected {DATABASE_URL_FORM} (make run, make dev and make test "
            "start an embedded PostgreSQL when it is unset)",
        )
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme.startswith("sqlite"):
        raise ConfigurationError(
            variable, f"SQLite is not supported, PostgreSQL only: expected {DATABASE_URL_FORM}"
        )
    if scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise ConfigurationError(variable, f"malformed value: expected {DATABASE_URL_FORM}")
    try:
        config = environ.Env.db_url_config(raw)
    except (ValueError, KeyError, ImproperlyConfigured) as exc:
        raise ConfigurationError(variable, f"malformed value ({exc})") from None
    if not config.get("NAME"):
        raise ConfigurationError(variable, "the database name is missing after the host")
    try:
        urlsplit(raw).port  # noqa: B018 - raises on a non-numeric port
    except ValueError:
        raise ConfigurationError(variable, "the port is not a number") from None
    if not config.get("HOST") and "host" in config.get("OPTIONS", {}):
        # A socket folder given as ?host=/dir is Django's HOST, as a host name would be.
        config["HOST"] = config["OPTIONS"].pop("host")
    return config


def get_email(variable: str) -> dict:
    """Django's EMAIL_* settings from smtp://USER:PASSWORD@HOST:PORT (smtp+tls://, smtp+ssl://);
    the console backend (mails written to the log) when unset."""
    raw = env.str(variable, default="").strip()
    if not raw:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if urlsplit(raw).scheme not in {"smtp", "smtps", "smtp+tls", "smtp+ssl"}:
        raise ConfigurationError(
            variable, "malformed value: expected smtp://USER:PASSWORD@HOST:PORT or smtp+tls://…"
        )
    try:
        parsed = environ.Env.email_url_config(raw)
    except (ValueError, KeyError) as exc:
        raise ConfigurationError(variable, "malformed value") from exc
    if not parsed.get("EMAIL_HOST"):
        raise ConfigurationError(variable, "the host is missing")
    return {key: value for key, value in parsed.items() if value not in (None, "")}


def get_redis_url(variable: str) -> str:
    raw = env.str(variable, default="").strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 - raises on a non-numeric port
    except ValueError:
        raise ConfigurationError(variable, "the port is not a number") from None
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ConfigurationError(
            variable, "malformed value: expected redis://HOST:PORT/DB or rediss://…"
        )
    return raw


def get_mapping(variable: str) -> dict[str, str]:
    """`key=value` pairs separated by commas, e.g. FORGE_TOKENS=github.com=ghp_x,gitlab.com=y."""
    mapping = {}
    for item in get_list(variable):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            # Never echo the value: it may be a secret.
            raise ConfigurationError(variable, "expected comma-separated key=value pairs")
        mapping[key.strip()] = value.strip()
    return mapping


def get_crontab(variable: str, *, default: str):
    """A Celery crontab from five cron fields: "minute hour day-of-month month day-of-week"."""
    from celery.schedules import crontab

    raw = get_str(variable, default=default)
    fields = raw.split()
    if len(fields) != 5:
        raise ConfigurationError(
            variable, f"expected five cron fields such as '0 3 * * *', got {raw!r}"
        )
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    try:
        return crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week=day_of_week,
        )
    except ValueError as exc:
        raise ConfigurationError(variable, f"invalid cron expression {raw!r} ({exc})") from None


RATE_PERIODS = {"second": 1, "minute": 60, "min": 60, "hour": 3600, "day": 86400}


def get_rate(variable: str, *, default: str) -> tuple[int, int]:
    """(requests, seconds) from "N/period", period one of second, minute (min), hour, day:
    "5000/hour" is (5000, 3600)."""
    raw = get_str(variable, default=default)
    count, sep, period = raw.partition("/")
    if not sep or not count.strip().isdigit() or period.strip() not in RATE_PERIODS:
        raise ConfigurationError(
            variable, f"expected requests per period such as '5000/hour', got {raw!r}"
        )
    if int(count) < 1:
        raise ConfigurationError(variable, f"expected at least one request, got {raw!r}")
    return int(count), RATE_PERIODS[period.strip()]
