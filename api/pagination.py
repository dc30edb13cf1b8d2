"""The page envelope ``{"next", "previous", "results"}`` and its ``Link`` header, and how
the schema describes the paging parameters (the pages themselves: api.paging)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api import paging

SCHEMA_PARAMETERS = [
    OpenApiParameter(
        "updated_since",
        str,
        description=(
            "ISO 8601 date or time (UTC when no offset is given). Only what changed since "
            "then, in the `modified_at` order: rows to add or replace, and tombstones "
            "`{id, deleted_at}` for rows gone, unpublished, deleted or no longer matching "
            "the filters. Start the next sync from the time you started this one, minus a "
            "few minutes (a change is stamped when written, visible when committed)."
        ),
    ),
    OpenApiParameter(
        "ordering",
        str,
        enum=list(paging.ORDERINGS),
        description=(
            "`id` (the default; every row once even while the catalogue changes) or "
            "`modified_at` (the default with `updated_since`)."
        ),
    ),
]


class CursorPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def response(self, request, page: paging.Page, results: list) -> Response:
        url = request.build_absolute_uri()
        links = {
            "next": self.link(url, page.next),
            "previous": self.link(url, page.previous),
        }
        # rel="prev", as most clients read it ("previous" is its registered synonym).
        rels = {"next": links["next"], "prev": links["previous"]}
        header = ", ".join(f'<{href}>; rel="{rel}"' for rel, href in rels.items() if href)
        headers = {"Link": header} if header else {}
        return Response({**links, "results": results}, headers=headers)

    def link(self, url: str, position: paging.Position | None) -> str | None:
        if position is None:
            return None
        return replace_query_param(url, self.cursor_query_param, position.encode())

    def first_page(self, url: str) -> str:
        return remove_query_param(url, self.cursor_query_param)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": {
                    "type": "array",
                    "items": {
                        "oneOf": [
                            schema["items"],
                            {
                                "type": "object",
                                "description": (
                                    "A tombstone (with updated_since only): delete this "
                                    "id from your copy."
                                ),
                                "required": ["id", "deleted_at"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "deleted_at": {"type": "string", "format": "date-time"},
                                },
                            },
                        ]
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The position of a page: follow the `next` and `previous` links.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Items per page, {paging.PAGE_SIZE} by default, at most "
                    f"{paging.MAX_PAGE_SIZE}."
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": paging.MAX_PAGE_SIZE},
            },
        ]
