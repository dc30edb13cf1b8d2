"""Settings for codegouv, read from the environment (documented in .env.example and README).

Safe by default: DEBUG is off unless asked, a SECRET_KEY is then required, and HTTPS
hardening is on. DATABASE_URL (PostgreSQL) is required; `make run`, `make dev` and `make test`
set it to an embedded server when it is unset. Without REDIS_URL, Celery tasks run in-process
and the cache is local memory.
"""

import re
import warnings
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from codegouv import config

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = config.get_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = config.get_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise config.ConfigurationError(
            "DJANGO_SECRET_KEY", "required when DJANGO_DEBUG is off (a long random string)"
        )
    SECRET_KEY = "insecure-development-only-key"  # noqa: S105 - DEBUG only, never served

ALLOWED_HOSTS = config.get_list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = config.get_origins("DJANGO_CSRF_TRUSTED_ORIGINS")

# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
if config.get_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Served over HTTPS: redirect, secure cookies, HSTS. Off for a local quick start.
HTTPS = config.get_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_FAILURE_VIEW = "codegouv.views.csrf_failure"
SECURE_HSTS_SECONDS = config.get_int("DJANGO_HSTS_SECONDS", default=31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = config.get_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = config.get_bool("DJANGO_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

SITE_NAME = config.get_str("CODEGOUV_SITE_NAME", default="code.gouv.fr")
SITE_TAGLINE = config.get_str("CODEGOUV_SITE_TAGLINE") or _(
    "Les codes sources et logiciels libres du secteur public"
)
CONTACT_EMAIL = config.get_str("CODEGOUV_CONTACT_EMAIL", default="contact@code.gouv.fr")
# Shown on the legal notice page; the operator of a deployment fills it in.
HOSTING_PROVIDER = config.get_str("CODEGOUV_HOSTING_PROVIDER")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.contrib.syndication",
    "django_filters",
    "widget_tweaks",
    "dsfr",
    "mozilla_django_oidc",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "core",
    "codegouv",
    "accounts",
    "catalog",
    "moderation",
    "sill",
    "contributions",
    "editorial",
    "bluehats",
    "api",
]

MIDDLEWARE = [
    # Whole pages for anonymous visitors (core.pagecache): first to store, last to answer.
    "core.pagecache.UpdatePageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages, JSON and exports (streamed ones chunk by chunk); after whitenoise,
    # which answers static files itself, from the copies compressed at collectstatic.
    "django.middleware.gzip.GZipMiddleware",
    # Access-Control-Allow-Origin: * on the API, the dumps and the exports (api.cors);
    # before any middleware that may answer on its own.
    "corsheaders.middleware.CorsMiddleware",
    # Content-Security-Policy and Permissions-Policy (see "Security headers" below).
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The text boundary: views see cleaned GET/POST values; a control character in the
    # path is a 404 (core.request_text).
    "core.request_text.CleanRequestTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A statement cancelled by the web statement timeout: a 503 page, not a 500.
    "codegouv.middleware.StatementTimeoutMiddleware",
    # After authentication: answers anonymous visitors from the page cache.
    "core.pagecache.FetchPageCacheMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "codegouv.urls"
WSGI_APPLICATION = "codegouv.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "codegouv.context_processors.site",
            ],
        },
    },
]
# django-dsfr renders form fields with its own templates.
FORM_RENDERER = "core.forms.FormRenderer"

DATABASES = {"default": config.get_database("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = config.get_int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A dead database must fail a request (and /healthz) quickly, not hang it.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
# A statement running longer is cancelled (milliseconds, 0: no limit). gunicorn.conf.py sets
# 2000 for web requests, so a pathological query cannot hold workers; tasks lift it
# (codegouv.celery) and scripts leave it unset.
DATABASE_STATEMENT_TIMEOUT = config.get_int("DATABASE_STATEMENT_TIMEOUT", default=0)
# PostgreSQL's JIT compilation of a plan: worth it for long analytical statements (the
# statistics, tasks), not for a web page's, where compiling cost ~90 ms of an 860 ms broad
# search at 1,000,000 repositories (ADR 13). gunicorn.conf.py turns it off.
DATABASE_JIT = config.get_bool("DATABASE_JIT", default=True)
_server_settings = [
    *([f"statement_timeout={DATABASE_STATEMENT_TIMEOUT}"] if DATABASE_STATEMENT_TIMEOUT else []),
    *([] if DATABASE_JIT else ["jit=off"]),
]
if _server_settings:
    _options = DATABASES["default"]["OPTIONS"]
    _options["options"] = " ".join(
        [_options.get("options", ""), *(f"-c {setting}" for setting in _server_settings)]
    ).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Who may declare: agents whose address is in one of these domains (a subdomain counts;
# "ac-*.fr" style patterns allowed) or, with ProConnect, whose SIREN is a known public body.
PUBLIC_AGENT_EMAIL_DOMAINS = config.get_list(
    "PUBLIC_AGENT_EMAIL_DOMAINS",
    default=[
        "gouv.fr",
        "ac-*.fr",
        "univ-*.fr",
        "cnrs.fr",
        "inria.fr",
        "inrae.fr",
        "inserm.fr",
        "cea.fr",
        "cnes.fr",
        "ign.fr",
        "insee.fr",
        "ademe.fr",
        "aphp.fr",
        "francetravail.fr",
        "urssaf.fr",
        "assurance-maladie.fr",
        "caf.fr",
        "senat.fr",
        "assemblee-nationale.fr",
        "conseil-etat.fr",
        "ccomptes.fr",
        "education.fr",
        "sante.fr",
        "developpement-durable.fr",
    ],
)

for _domain in PUBLIC_AGENT_EMAIL_DOMAINS:
    if not re.fullmatch(r"[a-z0-9*-]+(\.[a-z0-9*-]+)+", _domain.lower()):
        raise config.ConfigurationError(
            "PUBLIC_AGENT_EMAIL_DOMAINS", f"{_domain!r} is not a domain like gouv.fr or ac-*.fr"
        )

# Mail (moderation decisions): SMTP from EMAIL_URL, else written to the log.
globals().update(config.get_email("EMAIL_URL"))
DEFAULT_FROM_EMAIL = config.get_str("DEFAULT_FROM_EMAIL", default=CONTACT_EMAIL)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = config.get_int("EMAIL_TIMEOUT", default=10, minimum=1)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Login: ProConnect (OpenID Connect) and the local email + password form ---------------
# The local form (accounts:login) is on by default so that the quick start works; production
# turns it off once ProConnect is configured. Off, no password is ever checked: the password
# backend is not installed and the Django admin's login page sends to the portal's.
LOCAL_LOGIN_ENABLED = config.get_bool("LOCAL_LOGIN_ENABLED", default=True)

# ProConnect: all three or none. Endpoints default to ProConnect's paths under the issuer;
# `manage.py proconnect_discovery` reads the discovery document and prints the exact lines.
# Nothing is fetched at startup.
PROCONNECT_ISSUER = config.get_str("PROCONNECT_ISSUER").rstrip("/")
PROCONNECT_CLIENT_ID = config.get_str("PROCONNECT_CLIENT_ID")
PROCONNECT_CLIENT_SECRET = config.get_str("PROCONNECT_CLIENT_SECRET")
_proconnect_required = {
    "PROCONNECT_ISSUER": PROCONNECT_ISSUER,
    "PROCONNECT_CLIENT_ID": PROCONNECT_CLIENT_ID,
    "PROCONNECT_CLIENT_SECRET": PROCONNECT_CLIENT_SECRET,
}
PROCONNECT_ENABLED = all(_proconnect_required.values())
if any(_proconnect_required.values()) and not PROCONNECT_ENABLED:
    _missing = next(name for name, value in _proconnect_required.items() if not value)
    raise config.ConfigurationError(
        _missing, "required when another PROCONNECT_* variable is set (set all three, or none)"
    )


def _proconnect_url(variable: str, path: str) -> str:
    """An endpoint: the variable when set, else `path` under the issuer; https only, except
    on the loopback interface (a local test provider)."""
    from urllib.parse import urlsplit

    url = config.get_str(variable) or (f"{PROCONNECT_ISSUER}{path}" if PROCONNECT_ISSUER else "")
    if url:
        parts = urlsplit(url)
        local = parts.hostname in {"127.0.0.1", "localhost", "::1"}
        if parts.scheme != "https" and not (parts.scheme == "http" and local):
            raise config.ConfigurationError(variable, f"expected an https:// URL, got {url!r}")
    return url


_proconnect_url("PROCONNECT_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = _proconnect_url("PROCONNECT_AUTHORIZATION_ENDPOINT", "/authorize")
OIDC_OP_TOKEN_ENDPOINT = _proconnect_url("PROCONNECT_TOKEN_ENDPOINT", "/token")
OIDC_OP_USER_ENDPOINT = _proconnect_url("PROCONNECT_USERINFO_ENDPOINT", "/userinfo")
OIDC_OP_JWKS_ENDPOINT = _proconnect_url("PROCONNECT_JWKS_ENDPOINT", "/jwks")
PROCONNECT_END_SESSION_ENDPOINT = _proconnect_url("PROCONNECT_END_SESSION_ENDPOINT", "/session/end")
OIDC_RP_CLIENT_ID = PROCONNECT_CLIENT_ID
OIDC_RP_CLIENT_SECRET = PROCONNECT_CLIENT_SECRET
OIDC_RP_SIGN_ALGO = config.get_str("PROCONNECT_SIGNING_ALGORITHM", default="RS256")
if OIDC_RP_SIGN_ALGO not in {"RS256", "ES256"}:
    raise config.ConfigurationError(
        "PROCONNECT_SIGNING_ALGORITHM", f"expected RS256 or ES256, got {OIDC_RP_SIGN_ALGO!r}"
    )
# ProConnect names the family name `usual_name`; `siret` identifies the agent's organisation.
OIDC_RP_SCOPES = "openid email given_name usual_name siret"
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {
    "acr_values": config.get_str("PROCONNECT_ACR_VALUES", default="eidas1")
}
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the logout at ProConnect
OIDC_TIMEOUT = config.get_int("PROCONNECT_TIMEOUT", default=10, minimum=1)
OIDC_CREATE_USER = True
OIDC_AUTHENTICATION_CALLBACK_URL = "proconnect:callback"
OIDC_OP_LOGOUT_URL_METHOD = "accounts.oidc.provider_logout_url"
# Seconds of clock skew tolerated on the ID token's exp and iat.
PROCONNECT_LEEWAY = 60

AUTHENTICATION_BACKENDS = [
    # Refuses password attempts from a locked-out account or address (django-axes).
    "accounts.lockout.LockoutBackend",
    "accounts.oidc.ProConnectBackend",
]
if LOCAL_LOGIN_ENABLED:
    AUTHENTICATION_BACKENDS.append("django.contrib.auth.backends.ModelBackend")

# --- Security headers (docs/adr/0009-content-security-policy.md) ---------------------------


def _proconnect_origins() -> list[str]:
    """The origins of ProConnect's login and logout endpoints, when ProConnect is on."""
    from urllib.parse import urlsplit

    if not PROCONNECT_ENABLED:
        return []
    endpoints = (OIDC_OP_AUTHORIZATION_ENDPOINT, PROCONNECT_END_SESSION_ENDPOINT)
    return sorted({f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" for url in endpoints})


# Content-Security-Policy (django-csp) on every response the app renders: scripts, styles
# and fonts from the portal itself, never inline (no <script>, style attribute or event
# handler in any template; the DSFR's and the admin's scripts are static files). Images
# also from data: (DSFR icons) and any https: address (the home page's highlights show an
# image an editor points at). Forms post to the portal, but logging out after a ProConnect
# login ends in a redirect to ProConnect, which form-action governs too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *_proconnect_origins()],
    }
}
# Browser features no page uses, refused to the portal and to anything it could embed
# (core.middleware.PermissionsPolicyMiddleware): {feature: allowed origins}, () = none.
PERMISSIONS_POLICY = dict.fromkeys(
    [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ],
    (),
)

# Failed password attempts (django-axes), recorded in the database so that every web process
# sees them, Redis or not. An account, or an address, is locked after AXES_FAILURE_LIMIT
# failures until LOGIN_LOCKOUT_MINUTES after the last one; a success clears the failures
# against that account (not those of its address against other accounts).
AXES_FAILURE_LIMIT = config.get_int("LOGIN_FAILURE_LIMIT", default=5, minimum=1)
LOGIN_LOCKOUT_MINUTES = config.get_int("LOGIN_LOCKOUT_MINUTES", default=15, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# Behind the TLS proxy, the client's address is the last one it appends to X-Forwarded-For
# (earlier entries come from the client and can be forged); otherwise REMOTE_ADDR.
LOGIN_IP_FROM_FORWARDED_FOR = config.get_bool("DJANGO_BEHIND_TLS_PROXY", default=False)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "accounts.lockout.AccountOnlyResetHandler"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip_address"
AXES_WHITELIST_CALLABLE = "accounts.lockout.is_not_a_password_attempt"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts while locked out do not push the end of the lockout further.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No log of every successful login (personal data nobody needs).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

REDIS_URL = config.get_redis_url("REDIS_URL")
# Seconds an anonymous visitor's page may be served from the cache (core.pagecache); 0
# turns it off, the default without Redis (make run, make dev) so that pages stay fresh.
CACHE_MIDDLEWARE_SECONDS = config.get_int("PAGE_CACHE_SECONDS", default=60 if REDIS_URL else 0)
CACHE_MIDDLEWARE_KEY_PREFIX = "page"
# Seconds any call to Redis (cache, broker, results) may wait to connect, then for an answer.
# Redis answers in milliseconds: one that takes a second is down (see ADR 8).
REDIS_TIMEOUT = 1
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache that serves pages without the cache while Redis is down or
            # hung, and leaves it alone for a few seconds after each failure (core/cache.py).
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # Each site sharing a Redis (or each benchmark run) keeps its own keys.
            "KEY_PREFIX": config.get_str("CACHE_KEY_PREFIX", default="codegouv"),
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis as broker and result backend; without it, tasks run eagerly in-process.
# memory:// with a host name: kombu warns "No hostname was supplied" on every in-process task.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task from a web request must fail within a couple of seconds when Redis is down
# or hung (core.tasks.enqueue turns that into a message), never hang the request.
_REDIS_RETRIES = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
    **_REDIS_RETRIES,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = _REDIS_RETRIES
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _REDIS_RETRIES}
# Nothing reads task results: without this, every task sent from a web process would also
# subscribe to its result channel in Redis (20 reconnection attempts when Redis is down).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/Paris"
# Forge harvesting (catalog app).
HARVEST_SCHEDULE = config.get_crontab("HARVEST_SCHEDULE", default="0 3 * * *")
ACCOUNTS_IMPORT_SCHEDULE = config.get_crontab("ACCOUNTS_IMPORT_SCHEDULE", default="0 4 * * 1")
# Where the weekly import reads the official accounts list; empty: the copy shipped in catalog/data.
ACCOUNTS_URL = config.get_str("ACCOUNTS_URL")
# The State's directory of public bodies (DILA's "Référentiel de l'organisation administrative
# de l'État", catalog.services.directory_import): path or URL; empty: the weekly import is off.
PUBLIC_BODIES_DIRECTORY_URL = config.get_str("PUBLIC_BODIES_DIRECTORY_URL")
PUBLIC_BODIES_DIRECTORY_MAX_BYTES = config.get_int(
    "PUBLIC_BODIES_DIRECTORY_MAX_BYTES", default=200 * 1024 * 1024, minimum=1
)
PUBLIC_BODIES_IMPORT_SCHEDULE = config.get_crontab(
    "PUBLIC_BODIES_IMPORT_SCHEDULE", default="30 4 * * 1"
)
# host=token pairs, e.g. "github.com=ghp_…,gitlab.com=glpat-…"; never logged.
FORGE_TOKENS = config.get_mapping("FORGE_TOKENS")
HARVEST_CONNECT_TIMEOUT = config.get_int("HARVEST_CONNECT_TIMEOUT", default=5, minimum=1)
HARVEST_READ_TIMEOUT = config.get_int("HARVEST_READ_TIMEOUT", default=30, minimum=1)
HARVEST_MAX_RETRIES = config.get_int("HARVEST_MAX_RETRIES", default=3)
# Longest wait for a forge's rate limit to reset before the run stops cleanly, in seconds.
HARVEST_MAX_RATE_LIMIT_WAIT = config.get_int("HARVEST_MAX_RATE_LIMIT_WAIT", default=900)
HARVEST_TASK_TIME_LIMIT = config.get_int("HARVEST_TASK_TIME_LIMIT", default=3600, minimum=60)
# Where the daily open-data dumps are written (shared by the web and worker processes).
DUMPS_ROOT = Path(config.get_str("DUMPS_ROOT") or BASE_DIR / "var" / "dumps")
# The portal's public address, for absolute links in dumps; default https://SITE_NAME.
SITE_URL = config.get_str("CODEGOUV_SITE_URL")
EXPORT_DUMPS_SCHEDULE = config.get_crontab("EXPORT_DUMPS_SCHEDULE", default="0 6 * * *")
# Full ?format=csv|json downloads streaming at once, across every worker; beyond, a 429.
EXPORT_MAX_CONCURRENT = config.get_int("EXPORT_MAX_CONCURRENT", default=2, minimum=1)

# SILL enrichment.
WIKIDATA_API_URL = config.get_str("WIKIDATA_API_URL") or "https://www.wikidata.org/w/api.php"
WIKIDATA_SCHEDULE = config.get_crontab("WIKIDATA_SCHEDULE", default="30 5 * * *")

# Software Heritage (catalog.swh, catalog.services.archive; ADR 0018). The token is sent to
# the SWH_API_URL host only and never logged.
SWH_API_URL = config.get_str("SWH_API_URL") or "https://archive.softwareheritage.org/api/1/"
SWH_API_TOKEN = config.get_str("SWH_API_TOKEN")
SWH_CHECK_SCHEDULE = config.get_crontab("SWH_CHECK_SCHEDULE", default="0 1 * * *")
# Repositories one daily check looks at at most (the due ones, the longest unchecked first).
SWH_CHECK_LIMIT = config.get_int("SWH_CHECK_LIMIT", default=50_000, minimum=1)
SWH_CHECK_TIME_LIMIT = config.get_int("SWH_CHECK_TIME_LIMIT", default=6 * 3600, minimum=60)
# Repositories asked about at once: 1 keeps an anonymous run under the archive's 700
# requests a minute; with a token, 8 makes a national run take minutes.
SWH_CHECK_WORKERS = config.get_int("SWH_CHECK_WORKERS", default=1, minimum=1)
# Longest wait for the archive's rate limit to reset before a check stops (the rest waits
# for the next run, requeued at the reset), in seconds.
SWH_MAX_RATE_LIMIT_WAIT = config.get_int("SWH_MAX_RATE_LIMIT_WAIT", default=120)
# Save Code Now requests sent per hour at most (the archive allows 10 anonymously, 100
# with a token); the nightly option asks for the absent and outdated originals.
SWH_SAVE_HOURLY_BUDGET = config.get_int("SWH_SAVE_HOURLY_BUDGET", default=8)
SWH_SAVE_NIGHTLY = config.get_bool("SWH_SAVE_NIGHTLY", default=False)


# BlueHats (bluehats app): the public channels /bluehats/ links to. Defaults: those
# code.gouv.fr lists (bluehats/data/channels.yml); http(s) addresses only.
def _web_url(variable, url):
    if url and not url.startswith(("https://", "http://")):
        raise config.ConfigurationError(variable, f"expected an http(s):// URL, got {url!r}")
    return url


def _bluehats_url(variable, default):
    return _web_url(variable, config.get_str(variable, default=default))


BLUEHATS_MAILING_LIST_URL = _bluehats_url(
    "BLUEHATS_MAILING_LIST_URL", "https://lists.sr.ht/~bluehats/fr"
)
BLUEHATS_CHAT_URLS = [
    _web_url("BLUEHATS_CHAT_URLS", url)
    for url in config.get_list(
        "BLUEHATS_CHAT_URLS",
        default=["https://matrix.to/#/#bluehats:matrix.org", "https://web.libera.chat/#bluehats"],
    )
]
# Where the gazette's "S'abonner" button leads (an external list: the portal stores no
# subscriber); the public mailing list unless set.
BLUEHATS_NEWSLETTER_URL = _bluehats_url("BLUEHATS_NEWSLETTER_URL", BLUEHATS_MAILING_LIST_URL)
BLUEHATS_VIDEO_URL = _bluehats_url(
    "BLUEHATS_VIDEO_URL", "https://tube.numerique.gouv.fr/c/bluehats"
)

# Package registries (catalog.registries, catalog.services.libraries; ADR 0021): the API
# root of each, an http(s) URL; empty leaves that ecosystem's packages unchecked. Maven
# needs both its search API and its repository (where the POMs are).
REGISTRY_URLS = {
    ecosystem: _web_url(variable, config.get_str(variable))
    for ecosystem, variable in (
        ("npm", "REGISTRY_NPM_URL"),
        ("pypi", "REGISTRY_PYPI_URL"),
        ("composer", "REGISTRY_PACKAGIST_URL"),
        ("cargo", "REGISTRY_CRATES_URL"),
        ("gem", "REGISTRY_RUBYGEMS_URL"),
        ("maven", "REGISTRY_MAVEN_SEARCH_URL"),
    )
}
REGISTRY_MAVEN_REPOSITORY_URL = _web_url(
    "REGISTRY_MAVEN_REPOSITORY_URL", config.get_str("REGISTRY_MAVEN_REPOSITORY_URL")
)
# The shortest pause between two requests to the same registry, in milliseconds.
REGISTRY_MIN_INTERVAL_MS = config.get_int("REGISTRY_MIN_INTERVAL_MS", default=1000)
# Packages one weekly check looks up at most (the never checked first, then the oldest).
REGISTRY_CHECK_LIMIT = config.get_int("REGISTRY_CHECK_LIMIT", default=5000, minimum=1)
REGISTRY_CHECK_SCHEDULE = config.get_crontab("REGISTRY_CHECK_SCHEDULE", default="0 2 * * 0")
REGISTRY_CHECK_TIME_LIMIT = config.get_int(
    "REGISTRY_CHECK_TIME_LIMIT", default=6 * 3600, minimum=60
)

CELERY_BEAT_SCHEDULE = {
    # The heartbeat lets /healthz tell when a worker last ran a task.
    "heartbeat": {"task": "codegouv.ping", "schedule": 300.0},
    "harvest-all": {"task": "catalog.harvest_all", "schedule": HARVEST_SCHEDULE},
    "import-accounts": {"task": "catalog.import_accounts", "schedule": ACCOUNTS_IMPORT_SCHEDULE},
    "import-public-bodies": {
        "task": "catalog.import_public_bodies",
        "schedule": PUBLIC_BODIES_IMPORT_SCHEDULE,
    },
    "export-dumps": {"task": "catalog.export_dumps", "schedule": EXPORT_DUMPS_SCHEDULE},
    # Keeps the broad listings' summaries cached while the catalogue stays as it is (each
    # entry lasts catalog.listing_cache.TIMEOUT, 15 minutes; a test holds this under it) and
    # computes those of a change that sent no signal (an editor's Awesome check).
    "warm-listings": {"task": "catalog.warm_listings", "schedule": 600.0},
    "refresh-wikidata": {"task": "sill.refresh_wikidata", "schedule": WIKIDATA_SCHEDULE},
    "check-archive": {"task": "catalog.check_archive", "schedule": SWH_CHECK_SCHEDULE},
    # Sends the queued save requests within the hourly budget (at night, first queues the
    # absent and outdated originals when SWH_SAVE_NIGHTLY), then follows the sent ones.
    "send-save-requests": {"task": "catalog.send_save_requests", "schedule": 3600.0},
    # Weekly: where the packages the repositories publish come from (ADR 0021).
    "check-registries": {"task": "catalog.check_registries", "schedule": REGISTRY_CHECK_SCHEDULE},
}

# --- The public read API, /api/v1/ (api app, docs/adr/0016-public-read-api.md) -------------
# Read-only and public: no authentication, hence no cookie nor CSRF token; JSON only; errors
# as application/problem+json (api.errors).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.problem_response",
    # ?format= is the listings' export parameter, not a renderer's name.
    "URL_FORMAT_OVERRIDE": None,
}
# Requests per client address (the proxy's last X-Forwarded-For entry behind
# DJANGO_BEHIND_TLS_PROXY), counted in the cache (Redis in production; without it, or while
# it is down, nothing is counted): every request, and those with a text search (`q`).
API_RATE_LIMIT = config.get_rate("API_RATE_LIMIT", default="5000/hour")
API_SEARCH_RATE_LIMIT = config.get_rate("API_SEARCH_RATE_LIMIT", default="60/minute")
API_VERSION = "1.0"
SPECTACULAR_SETTINGS = {
    "TITLE": "API de code.gouv.fr",
    "DESCRIPTION": (
        "Read-only API of the French public sector's source code catalogue, the SILL and the "
        "declared contributions. Paging: cursor (`next`/`previous` links and a `Link` header), "
        "`page_size` up to 1,000. Incremental sync: `updated_since` returns what changed since "
        "then, gone or unpublished rows as tombstones `{id, deleted_at}`. Errors: "
        "`application/problem+json`. Data under the Licence Ouverte 2.0 (Etalab)."
    ),
    "VERSION": API_VERSION,
    "LICENSE": {
        "name": "Licence Ouverte 2.0",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from our own static files (no CDN), its script a file too (the CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": False,
    "ENUM_NAME_OVERRIDES": {},
}
# django-cors-headers: any origin, never with credentials, on the API, the dumps and the
# SILL's JSON files (paths, English ones included); api.cors adds the listings' exports.
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_URLS_REGEX = r"^/(en/)?(api/|donnees/|sill/[^/]+\.json$)"
CORS_EXPOSE_HEADERS = [
    "Link",
    "ETag",
    "Last-Modified",
    "API-Version",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# django-dsfr's SRI hashes describe its original files, not whitenoise's compressed copies.
DSFR_USE_INTEGRITY_CHECKSUMS = False
# DSFR now marks optional fields rather than required ones; opt in to that behaviour.
DSFR_MARK_OPTIONAL_FIELDS = True
# ...which makes django-dsfr warn, on every form, that the setting is transitional.
warnings.filterwarnings(
    "ignore", message="Transitional Django setting DSFR_MARK_OPTIONAL_FIELDS", category=UserWarning
)

LOG_LEVEL = config.get_str("DJANGO_LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise config.ConfigurationError("DJANGO_LOG_LEVEL", f"unknown level {LOG_LEVEL!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
    },
}
