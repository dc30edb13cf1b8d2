"""The portal's URLs plus views that fail on purpose, to exercise the error pages."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from codegouv.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def forbidden(request):
    raise PermissionDenied


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("test/forbidden/", forbidden),
    path("test/crash/", crash),
    *urlpatterns,
]
