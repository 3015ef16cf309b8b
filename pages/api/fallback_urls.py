"""The last URLconf of the site: a /v3/ path that no route matched is a JSON 404 in the
v3 error envelope, not Django's HTML page.

It must be included after every URLconf that serves /v3/ routes (pages.api.urls is
included before bookings', so the catch-all cannot live there):
``path("", include("pages.api.fallback_urls"))`` as the last entry of the root URLconf.
"""

from django.http import JsonResponse
from django.urls import re_path

from pages.api.errors import NOT_FOUND, error_body


def v3_not_found(request, rest: str = "") -> JsonResponse:
    return JsonResponse(
        error_body("v3", NOT_FOUND, f"No route {request.method} {request.path}."), status=404
    )


urlpatterns = [re_path(r"^v3/(?P<rest>.*)$", v3_not_found)]
