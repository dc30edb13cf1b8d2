"""Validators shared by the apps' models and forms."""

from django.core.validators import URLValidator

# A web address people can open: http or https only (no javascript:, data:, ftp:…).
WEB_URL = URLValidator(schemes=["http", "https"])
