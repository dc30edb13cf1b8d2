"""Celery tasks of the SILL: a few lines each, calling a service."""

from celery import shared_task

from sill import wikidata


@shared_task(name="sill.refresh_wikidata", soft_time_limit=600, time_limit=660)
def refresh_wikidata(software_ids: list[int] | None = None) -> str:
    return wikidata.refresh_software(software_ids=software_ids).summary()
