"""Every error of the API as ``application/problem+json`` (RFC 9457): ``type``, ``title``,
``status``, ``detail``, and for a bad parameter ``invalid_params`` ([{name, reason}])."""

from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM = "application/problem+json"


class InvalidParams(exceptions.APIException):
    """A 400 naming the parameters that were refused and why."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_params"

    def __init__(self, invalid: list[dict]):
        self.invalid = invalid
        super().__init__(_("Paramètres invalides."))


def invalid_params_of(errors) -> list[dict]:
    """[{name, reason}] from a form's or serializer's errors ({name: [messages]})."""
    found = []
    for name, messages in errors.items():
        messages = messages if isinstance(messages, list | tuple) else [messages]
        found.append({"name": name, "reason": " ".join(str(message) for message in messages)})
    return found


def problem(status_code: int, detail: str, *, title: str = "", **extra) -> dict:
    return {
        "type": "about:blank",
        "title": title or HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        **extra,
    }


def problem_response(exc, context):
    """DRF's exception handler (settings.REST_FRAMEWORK): its status and headers
    (Retry-After, Allow), the body as a problem."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Aucun objet ne correspond à cette adresse."))
    response = exception_handler(exc, context)
    if response is None:
        return None  # a 500: Django's handler, which logs it
    extra = {}
    if isinstance(exc, InvalidParams):
        extra["invalid_params"] = exc.invalid
        detail = str(exc.detail)
    elif isinstance(exc, exceptions.ValidationError):
        detail = _("Paramètres invalides.")
        if isinstance(exc.detail, dict):
            extra["invalid_params"] = invalid_params_of(exc.detail)
    else:
        detail = str(exc.detail) if not isinstance(exc.detail, list | dict) else str(exc)
    return Response(
        problem(response.status_code, detail, **extra),
        status=response.status_code,
        headers=dict(response.items()),
        content_type=PROBLEM,
    )


def not_found(request, *args, **kwargs):
    """Any other address under /api/: a 404 problem, not the site's HTML page."""
    response = JsonResponse(
        problem(404, _("Aucune ressource de l’API à cette adresse.")),
        status=404,
        content_type=PROBLEM,
        json_dumps_params={"ensure_ascii": False},
    )
    response["API-Version"] = settings.API_VERSION
    return response
