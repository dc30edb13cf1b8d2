from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from accounts.policy import is_public_agent
from core.urls import cached_reverse
from editorial.guides import linked_pages
from editorial.models import ABOUT_SLUG, guide_url

# (label, url name) of the main navigation, in display order.
MAIN_NAVIGATION = (
    (_("Codes sources"), "catalog:index"),
    (_("Organisations"), "owners:index"),
    (_("Ministères"), "ministries"),
    (_("SILL"), "sill:index"),
    (_("Contributions"), "contributions:index"),
    (_("BlueHats"), "bluehats:home"),
    (_("Awesome"), "catalog:awesome"),
    (_("Statistiques"), "stats"),
    (_("Données"), "data:index"),
)
# Shown to logged-in public agents only.
AGENT_NAVIGATION = ((_("Codes à publier"), "unpublished:index"),)


def nav_title(title: str, slug: str) -> str:
    """A guide page's link text: its title, which editors write in French, except the about
    page's, which reads in the interface's language."""
    return _("À propos") if slug == ABOUT_SLUG else title


def main_navigation() -> list:
    """[(label, address)] of MAIN_NAVIGATION in the active language."""
    return [(label, cached_reverse(url_name)) for label, url_name in MAIN_NAVIGATION]


def site(request):
    """Service name, tagline and the main navigation with the current section marked;
    the guide pages the editors placed in the navigation or the footer."""
    links = main_navigation()
    user = getattr(request, "user", None)
    if user is not None and is_public_agent(user):
        links += [(label, cached_reverse(url_name)) for label, url_name in AGENT_NAVIGATION]
    guides = linked_pages()
    links += [(nav_title(title, slug), guide_url(slug)) for title, slug in guides["navigation"]]
    footer_guides = [{"label": title, "url": guide_url(slug)} for title, slug in guides["footer"]]
    return _site_context(request.path_info, links, footer_guides)


def bare_site(request):
    """What base.html needs, from the settings alone: for the 500 page, which must render
    when the database or the cache is what failed (no guide links, no user, no messages)."""
    links = main_navigation()
    return {
        **_site_context(request.path_info, links, footer_guides=[]),
        "request": request,
        "user": AnonymousUser(),
        "messages": [],
    }


def _site_context(path, links, footer_guides):
    # The longest matching address is the current section (/depots/a-publier/ is not /depots/).
    matching = [url for _label, url in links if path.startswith(url)]
    current = max(matching, key=len, default=None)
    # Labels as text: base.html keeps one rendered menu per navigation ({% frame %}).
    navigation = [
        {"label": str(label), "url": url, "current": url == current} for label, url in links
    ]
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "HOSTING_PROVIDER": settings.HOSTING_PROVIDER,
        "main_navigation": navigation,
        "footer_guides": footer_guides,
    }
