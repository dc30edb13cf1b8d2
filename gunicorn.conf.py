"""gunicorn settings, from the environment (see README, "Configuration")."""

import multiprocessing
import os

# Web requests cancel any SQL statement running longer than this (milliseconds); the
# workers read it through Django's settings. Tasks and scripts do not go through here.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "2000")
# A page's statements are short: compiling their plans (PostgreSQL's JIT) costs more than it
# saves (ADR 13).
os.environ.setdefault("DATABASE_JIT", "false")

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
