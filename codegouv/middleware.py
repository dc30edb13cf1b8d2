"""Middleware that needs the project's pages (the error page)."""

import logging

import psycopg
from django.db import OperationalError

from codegouv.views import error_page

logger = logging.getLogger(__name__)


class StatementTimeoutMiddleware:
    """A request whose SQL outlasted the web statement timeout (DATABASE_STATEMENT_TIMEOUT)
    gets a 503 page saying so, not the 500 page: the visitor can narrow the search, and the
    operator reads one warning with the address rather than a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and isinstance(
            exception.__cause__, psycopg.errors.QueryCanceled
        ):
            logger.warning(
                "statement timeout: %s %s", request.method, request.get_full_path()[:300]
            )
            return error_page(request, 503)
        return None
