"""/: where "View site" in the admin leads, and where anyone who strips a booking link
lands. Visitors get a short note and no list (a page's link is its organizer's to
share); staff get the public booking pages, to open one as a guest would."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView

from pages.models import Configuration


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    pages = []
    if request.user.is_active and request.user.is_staff:
        pages = (
            Configuration.objects.exclude(slug__isnull=True)
            .exclude(slug="")
            .filter(requires_session_auth=False)
            .order_by("title", "slug")
        )
    return render(request, "bookings/home.html", {"pages": pages})


class FaviconView(RedirectView):
    """/favicon.ico, which browsers and crawlers ask for whatever the page links."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.ico")


favicon = FaviconView.as_view()
