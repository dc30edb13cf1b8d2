"""The open-data pages: what is published, the data dictionary, the dump downloads."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from catalog.exports import (
    DUMP_FILES,
    METADATA_FILE,
    OWNER_COLUMNS,
    OWNER_DUMPS,
    REPOSITORY_COLUMNS,
    REPOSITORY_DUMPS,
    TYPE_LABELS,
    dumps_directory,
    read_metadata,
)


def _dump_files(directory, metadata):
    """The dumps listed in metadata.json that are on disk, with their size and row count."""
    described = metadata.get("files") or {}
    files = []
    for name in DUMP_FILES:
        path = directory / name
        if name == METADATA_FILE or name not in described or not path.is_file():
            continue
        files.append(
            {
                "name": name,
                "format": "CSV" if ".csv" in name else "JSON",
                "subject": "repositories" if name in REPOSITORY_DUMPS else "organisations",
                "rows": described[name].get("rows"),
                "size": path.stat().st_size,
            }
        )
    return files


@require_GET
def data_page(request):
    directory = dumps_directory()
    metadata = read_metadata(directory)
    files = _dump_files(directory, metadata) if metadata else []
    generated_at = parse_datetime(metadata.get("generated_at") or "") if metadata else None
    return render(
        request,
        "catalog/data.html",
        {"files": files, "generated_at": generated_at, "metadata_file": METADATA_FILE},
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
            "anchor": "depots",
            "title": _("Dépôts"),
            "files": ", ".join(REPOSITORY_DUMPS),
            "caption": _("Colonnes des dépôts"),
            "columns": _columns(REPOSITORY_COLUMNS),
        },
        {
            "anchor": "organisations",
            "title": _("Organisations"),
            "files": ", ".join(OWNER_DUMPS),
            "caption": _("Colonnes des organisations"),
            "columns": _columns(OWNER_COLUMNS),
        },
    ]
    return render(
        request,
        "catalog/data_dictionary.html",
        {"page_title": _("Dictionnaire des données"), "tables": tables},
    )


@require_GET
def download(request, name):
    # Only the known file names: never a path built from the URL.
    if name not in DUMP_FILES:
        raise Http404
    path = dumps_directory() / name
    try:
        stream = path.open("rb")
    except (FileNotFoundError, IsADirectoryError) as error:
        raise Http404 from error
    return FileResponse(stream, as_attachment=True, filename=name)
