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
    """Service name, tagline and the main navigation with the current section marked;
    the guide pages the editors placed in the navigation or the footer."""
    from codegouv.guides import linked_pages

    path = request.path_info
    navigation = []
    for label, url_name in MAIN_NAVIGATION:
        url = reverse(url_name)
        navigation.append({"label": label, "url": url, "current": path.startswith(url)})
    guides = linked_pages()
    for title, slug in guides["navigation"]:
        url = reverse("guides:detail", args=[slug])
        navigation.append({"label": title, "url": url, "current": path.startswith(url)})
    footer_guides = [
        {"label": title, "url": reverse("guides:detail", args=[slug])}
        for title, slug in guides["footer"]
    ]
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "HOSTING_PROVIDER": settings.HOSTING_PROVIDER,
        "main_navigation": navigation,
        "footer_guides": footer_guides,
    }
