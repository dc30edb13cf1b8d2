"""Celery tasks of the SILL (defined next to their services, imported here to register)."""

from sill.wikidata import refresh_wikidata  # noqa: F401
