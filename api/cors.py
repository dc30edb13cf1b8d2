"""Which requests get CORS headers (django-cors-headers; the settings' CORS_URLS_REGEX names
the API, the dumps and the SILL's JSON files): also a listing's ``?format=csv|json``
export, whatever its path. ``Access-Control-Allow-Origin: *``, never with credentials: a
page of another origin reads what anyone reads without logging in."""

from core.listing import EXPORT_FORMATS


def cors_allowed(sender, request, **kwargs) -> bool:
    return request.method in ("GET", "HEAD", "OPTIONS") and (
        request.GET.get("format") in EXPORT_FORMATS
    )
