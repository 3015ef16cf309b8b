"""The last URLconf of the site: an API path that no route matched is a JSON 404 in its
dialect's error envelope (v3 under /v3/, v2 under /manage/, /schedule/ and /calendars/),
for every method, not Django's HTML page nor its HTML CSRF refusal of a POST.

It must be included after every URLconf that serves API routes (pages.api.urls is
included before bookings', so the catch-all cannot live there):
``path("", include("pages.api.fallback_urls"))`` as the last entry of the root URLconf.
"""

from django.http import JsonResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from pages.api.errors import NOT_FOUND, error_body


def _not_found(dialect: str):
    # csrf_exempt: these views change nothing, and an API client sends no CSRF token, so
    # a POST to a mistyped path must get the 404 that says so, not a CSRF page.
    @csrf_exempt
    def view(request, rest: str = "") -> JsonResponse:
        message = f"No route {request.method} {request.path}."
        return JsonResponse(error_body(dialect, NOT_FOUND, message), status=404)

    view.__name__ = f"{dialect}_not_found"
    return view


v3_not_found = _not_found("v3")
v2_not_found = _not_found("v2")

urlpatterns = [
    # [\s\S]: a path may hold any character, a newline (%0A) included, which "." misses.
    re_path(r"^v3(?P<rest>/[\s\S]*)?$", v3_not_found),
    re_path(r"^(?:manage|schedule|calendars)(?P<rest>/[\s\S]*)?$", v2_not_found),
]
