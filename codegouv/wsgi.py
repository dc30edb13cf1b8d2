"""WSGI entry point, served by gunicorn (see gunicorn.conf.py)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from codegouv.config import ConfigurationError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codegouv.settings")

try:
    application = get_wsgi_application()
except ConfigurationError as exc:
    sys.stderr.write(f"Configuration error: {exc}\n")
    sys.exit(2)
