from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (label, url name) of the main navigation, in display order.
MAIN_NAVIGATION = (
    (_("Codes sources"), "catalog:index"),
    (_("SILL"), "sill:index"),
    (_("Contributions"), "contributions:index"),
    (_("Statistiques"), "stats"),
)


def site(request):
    """Service name, tagline and the main navigation with the current section marked."""
    path = request.path_info
    navigation = []
    for label, url_name in MAIN_NAVIGATION:
        url = reverse(url_name)
        navigation.append({"label": label, "url": url, "current": path.startswith(url)})
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "HOSTING_PROVIDER": settings.HOSTING_PROVIDER,
        "main_navigation": navigation,
    }
