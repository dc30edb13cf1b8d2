"""Response headers Django has no setting for."""

from __future__ import annotations

from django.conf import settings

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


def permissions_policy(features: dict[str, tuple[str, ...] | list[str]]) -> str:
    """The Permissions-Policy value for {feature: allowed origins}: "camera=(), …"; an origin
    is written as given ("self", or a quoted URL such as '"https://example.fr"')."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class PermissionsPolicyMiddleware:
    """Adds settings.PERMISSIONS_POLICY as the Permissions-Policy header to every response
    that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        features = getattr(settings, "PERMISSIONS_POLICY", None)
        if features and PERMISSIONS_POLICY_HEADER not in response:
            response.headers[PERMISSIONS_POLICY_HEADER] = permissions_policy(features)
        return response
