from django.contrib.auth.mixins import LoginRequiredMixin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from accounts.policy import is_public_agent


class PublicAgentRequiredMixin(LoginRequiredMixin):
    """Views where an agent declares something.

    Anonymous visitors are sent to the login page (a POST changes nothing); a logged-in person
    who is not a public agent gets a page explaining why, with status 403, never the
    allow-list itself.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_public_agent(request.user):
            return TemplateResponse(
                request,
                "accounts/not_public_agent.html",
                {"page_title": _("Réservé aux agents publics")},
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)
