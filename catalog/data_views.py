"""The open-data pages: every data set and its files, the data dictionary, the downloads."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from catalog.exports import (
    METADATA_FILE,
    TYPE_LABELS,
    dump_files,
    dumps_directory,
    read_metadata,
    registered_dumps,
)

FORMATS = {".csv.gz": "CSV", ".json.gz": "JSON", ".yml": "YAML"}


def file_format(name: str) -> str:
    return next((label for end, label in FORMATS.items() if name.endswith(end)), "")


def _files(dump, directory, described):
    """The files of `dump` that metadata.json lists and that are on disk."""
    files = []
    for name in dump.files:
        path = directory / name
        if name not in described or not path.is_file():
            continue
        files.append(
            {
                "name": name,
                "format": file_format(name),
                "compressed": name.endswith(".gz"),
                "rows": described[name].get("rows"),
                "size": path.stat().st_size,
            }
        )
    return files


@require_GET
def data_page(request):
    directory = dumps_directory()
    metadata = read_metadata(directory) or {}
    described = metadata.get("files") or {}
    datasets = [
        {
            "key": dump.key,
            "title": dump.title,
            "description": dump.description,
            "files": _files(dump, directory, described),
            "has_columns": dump.columns is not None,
            "listing_url": reverse(dump.listing) if dump.listing else "",
            "live_url": reverse(dump.live) if dump.live else "",
            "live_label": dump.live_label,
        }
        for dump in registered_dumps()
    ]
    generated_at = parse_datetime(metadata.get("generated_at") or "")
    return render(
        request,
        "catalog/data.html",
        {
            "datasets": datasets,
            "generated": any(dataset["files"] for dataset in datasets),
            "generated_at": generated_at,
            "metadata_file": METADATA_FILE,
        },
    )


def _columns(columns):
    return [
        {
            "name": column.name,
            "type": column.type,
            "type_label": TYPE_LABELS[column.type],
            "description": column.description,
        }
        for column in columns
    ]


@require_GET
def data_dictionary(request):
    tables = [
        {
            "anchor": dump.key,
            "title": dump.title,
            "files": ", ".join(dump.files),
            "caption": _("Colonnes : %(title)s") % {"title": dump.title},
            "columns": _columns(dump.columns),
        }
        for dump in registered_dumps()
        if dump.columns is not None
    ]
    return render(
        request,
        "catalog/data_dictionary.html",
        {"page_title": _("Dictionnaire des données"), "tables": tables},
    )


@require_GET
def download(request, name):
    # Only the known file names: never a path built from the URL.
    if name not in dump_files():
        raise Http404
    path = dumps_directory() / name
    try:
        stream = path.open("rb")
    except (FileNotFoundError, IsADirectoryError) as error:
        raise Http404 from error
    return FileResponse(stream, as_attachment=True, filename=name)
