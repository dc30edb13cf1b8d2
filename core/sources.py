"""Reading an import's source file: a local path or an http(s) URL, bounded in size."""

from __future__ import annotations

from pathlib import Path

import requests
from django.conf import settings


class SourceError(Exception):
    """The source cannot be read at all: nothing is imported."""


def read_source(
    source: str | Path | None,
    *,
    default: str | Path,
    max_bytes: int,
    error: type[Exception] = SourceError,
    download_error: type[Exception] | None = None,
) -> str:
    """The text of `source` (`default` when empty): a path, or an http(s) URL fetched with
    the harvest's timeouts. Raises `error` when it cannot be read or is larger than
    `max_bytes`, `download_error` (by default `error`) when the download fails."""
    source = str(source or default)
    if source.startswith(("http://", "https://")):
        try:
            response = requests.get(
                source,
                timeout=(settings.HARVEST_CONNECT_TIMEOUT, settings.HARVEST_READ_TIMEOUT),
            )
            response.raise_for_status()
        except requests.RequestException as exc:
            raise (download_error or error)(f"cannot download {source}: {exc}") from None
        if len(response.content) > max_bytes:
            raise error(f"{source} is larger than {max_bytes} bytes")
        return response.content.decode("utf-8", errors="replace")
    path = Path(source)
    try:
        if path.stat().st_size > max_bytes:
            raise error(f"{source} is larger than {max_bytes} bytes")
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"cannot read {source}: {exc.strerror or exc}") from None
