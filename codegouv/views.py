import logging

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from codegouv import health, home
from codegouv.context_processors import bare_site
from codegouv.search import search_everything
from core.search import clean_query
from editorial.highlights import active_highlights

logger = logging.getLogger(__name__)


class HomeView(TemplateView):
    template_name = "pages/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            counters=home.counters(),
            sections=home.sections(),
            latest=home.latest_repositories(),
            highlights=active_highlights(),
            **kwargs,
        )


@require_GET
def search(request):
    """/recherche/?q=…: the first repositories, SILL software and organisations found."""
    text = clean_query(request.GET.get("q", ""))
    return render(
        request,
        "pages/search.html",
        {"page_title": _("Rechercher"), "query": text, "groups": search_everything(text)},
    )


@never_cache
@require_GET
def healthz(request):
    healthy, report = health.report()
    return JsonResponse(report, status=200 if healthy else 503)


@require_GET
def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers ask /favicon.ico whatever the page says: send them to the DSFR favicon
    (temporarily: its hashed address changes with django-dsfr)."""
    return redirect(static("dsfr/dist/favicon/favicon.ico"))


# The DSFR error page of each status: what went wrong, one sentence, what to do next.
ERRORS = {
    400: (
        _("Requête incorrecte"),
        _("La requête envoyée au service n’a pas pu être comprise."),
        _("Vérifiez l’adresse saisie ou revenez à la page d’accueil."),
    ),
    403: (
        _("Accès refusé"),
        _("Vous n’avez pas les droits nécessaires pour voir cette page."),
        _(
            "Si vous pensez qu’il s’agit d’une erreur, connectez-vous avec le bon compte ou "
            "contactez-nous."
        ),
    ),
    404: (
        _("Page non trouvée"),
        _("La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée."),
        _(
            "Si vous avez tapé l’adresse web dans le navigateur, vérifiez qu’elle est correcte. "
            "La page n’est peut-être plus disponible. Dans ce cas, pour continuer votre visite, "
            "vous pouvez consulter notre page d’accueil ou le plan du site."
        ),
    ),
    500: (
        _("Erreur inattendue"),
        _(
            "Désolé, le service rencontre un problème, nous travaillons pour le résoudre le plus "
            "rapidement possible."
        ),
        _("Essayez de rafraîchir la page ou bien réessayez plus tard."),
    ),
    503: (
        _("Demande trop longue"),
        _("Le serveur a mis trop de temps à répondre à cette demande et l’a abandonnée."),
        _(
            "Essayez une recherche plus précise (moins de mots courants, un filtre de plus) "
            "ou réessayez dans un instant."
        ),
    ),
}


def error_context(status: int) -> dict:
    title, lead, detail = ERRORS[status]
    return {"code": status, "page_title": title, "lead": lead, "detail": detail}


def error_page(request, status: int):
    return render(request, "error.html", error_context(status), status=status)


def bad_request(request, exception=None):
    return error_page(request, 400)


def permission_denied(request, exception=None):
    return error_page(request, 403)


def csrf_failure(request, reason=""):
    """An expired or missing CSRF token is a refusal like any other for the visitor."""
    return error_page(request, 403)


def page_not_found(request, exception=None):
    return error_page(request, 404)


def server_error(request):
    """The DSFR 500 page, rendered from the settings alone since the database or the cache
    may be what failed (no context processor runs); a bare page should that fail too."""
    try:
        html = loader.get_template("error.html").render(
            {**bare_site(request), **error_context(500)}
        )
        return HttpResponseServerError(html)
    except Exception:
        logger.exception("the 500 page itself failed to render")
        return HttpResponseServerError(
            "<!doctype html><title>Erreur</title><h1>Erreur inattendue</h1>"
            "<p>Le service rencontre un problème. Merci de réessayer plus tard.</p>",
        )
