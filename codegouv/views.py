import logging

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from codegouv import health, home
from codegouv.context_processors import bare_site
from editorial.highlights import active_highlights

logger = logging.getLogger(__name__)


class HomeView(TemplateView):
    template_name = "pages/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            counters=home.counters(),
            latest=home.latest_repositories(),
            highlights=active_highlights(),
            **kwargs,
        )


@never_cache
@require_GET
def healthz(request):
    healthy, report = health.report()
    return JsonResponse(report, status=200 if healthy else 503)


@require_GET
def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


def server_error(request):
    """The DSFR 500 page, rendered from the settings alone since the database or the cache
    may be what failed (no context processor runs); a bare page should that fail too."""
    try:
        html = loader.get_template("500.html").render(bare_site(request))
        return HttpResponseServerError(html)
    except Exception:
        logger.exception("the 500 page itself failed to render")
        return HttpResponseServerError(
            "<!doctype html><title>Erreur</title><h1>Erreur inattendue</h1>"
            "<p>Le service rencontre un problème. Merci de réessayer plus tard.</p>",
        )
