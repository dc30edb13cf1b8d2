"""The public guide pages: the list and one page (staff may preview a draft)."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from editorial.models import GuidePage


def wants_preview(request):
    return request.GET.get("apercu") == "1" and request.user.is_staff


@require_GET
def guide_list(request):
    return render(
        request,
        "guides/list.html",
        {"page_title": _("Guides"), "pages": GuidePage.objects.for_list()},
    )


@require_GET
def guide_detail(request, slug):
    pages = GuidePage.objects.all() if wants_preview(request) else GuidePage.objects.published()
    page = get_object_or_404(pages, slug=slug)
    return render(
        request,
        "guides/detail.html",
        {"page": page, "body": page.rendered_body(), "preview": not page.is_published},
    )
