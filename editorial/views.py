"""The public guide pages: the list and one page (staff may preview a draft)."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from editorial.models import ABOUT_SLUG, GuidePage


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
    if slug == ABOUT_SLUG:  # one address per page
        query = request.GET.urlencode()
        return redirect(reverse("about") + (f"?{query}" if query else ""), permanent=True)
    return _guide_page(request, slug)


@require_GET
def about(request):
    """/a-propos/: what the portal is, where its data comes from, how to get listed."""
    return _guide_page(request, ABOUT_SLUG)


def _guide_page(request, slug):
    pages = GuidePage.objects.all() if wants_preview(request) else GuidePage.objects.published()
    page = get_object_or_404(pages, slug=slug)
    return render(
        request,
        "guides/detail.html",
        {"page": page, "body": page.rendered_body(), "preview": not page.is_published},
    )
