# syntax=docker/dockerfile:1
# Two stages: build the virtual environment from the hash-pinned lock, then run as a
# non-root user with only what the portal needs. Static files are collected at build time.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements/main.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.txt

FROM python:3.11-slim-bookworm AS runtime
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=codegouv.settings \
    GUNICORN_BIND=0.0.0.0:8000
RUN groupadd --system codegouv && useradd --system --gid codegouv --home-dir /app codegouv
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=codegouv:codegouv . /app
# collectstatic reads no secret and no database; the key and the URL (no server behind it)
# below exist only for this step, because settings require both.
RUN DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=postgres://no-database@127.0.0.1:1/none \
    python manage.py collectstatic --noinput --verbosity 0
USER codegouv
EXPOSE 8000
# /healthz through gunicorn's port, with the Host and X-Forwarded-Proto the proxy would send
# (scripts/healthcheck.py: standard library only, answers within 4 s).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["python", "scripts/healthcheck.py"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "codegouv.wsgi"]
