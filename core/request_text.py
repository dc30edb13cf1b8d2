"""The request side of the text boundary (see core.text): what a view reads from a
request's query string, form data or path has already been cleaned here, once."""

from __future__ import annotations

from django.http import Http404, QueryDict

from core.text import clean_line, clean_text, has_control_characters

# A query-string value longer than this is cut: no filter or search needs more.
MAX_GET_VALUE_LENGTH = 1000


def cleaned_querydict(data: QueryDict, clean) -> QueryDict:
    """An immutable copy of `data` whose keys and values went through `clean`."""
    copy = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        copy.setlist(clean(key), [clean(value) for value in values])
    copy._mutable = False
    return copy


class CleanRequestTextMiddleware:
    """GET and POST values without control characters, NFC, bounded; a path holding a
    control character (a NUL, say) is a 404 before any view or query sees it.

    Query-string values become one line each (searches and filters); form values keep
    their line breaks (descriptions). File uploads are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request.path_info) or "\n" in request.path_info:
            raise Http404
        request.GET = cleaned_querydict(
            request.GET, lambda value: clean_line(value, max_length=MAX_GET_VALUE_LENGTH)
        )
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.POST = cleaned_querydict(
                request.POST, lambda value: clean_text(value, max_length=None)
            )
        return self.get_response(request)
