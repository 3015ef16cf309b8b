"""GET /v3/scheduling/should-redirect/{slug}: whether a page's old address (a v2
scheduling page's, say) should send its visitors on to the hosted booking page, and
where. Every page with a public slug is served by that hosted page, whichever dialect
made it, so pages made in v2 answer as pages made in v3 do."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from bookings import links
from bookings.api import schemas
from bookings.api.auth import SchedulingAuthentication
from pages.api import parsing as p
from pages.api.envelope import v3
from pages.models import Configuration

SHOULD_REDIRECT = inline_serializer(
    name="ShouldRedirect",
    fields={
        "should_redirect": serializers.BooleanField(
            help_text="True when a public page has this slug."
        ),
        "slug": serializers.CharField(),
        "configuration_id": serializers.UUIDField(
            allow_null=True, help_text="The page's configuration (null when none)."
        ),
        "url": serializers.CharField(
            allow_null=True, help_text="The hosted booking page (null when none)."
        ),
    },
)


class ShouldRedirectView(p.RefusesNulCharacters, APIView):
    """Public, like the availability of a public page (the API key is accepted too)."""

    dialect = "v3"
    authentication_classes = [SchedulingAuthentication]
    permission_classes = [AllowAny]  # the header is optional (the schema says so)

    @extend_schema(
        operation_id="scheduling_should_redirect",
        tags=["scheduling"],
        summary="Whether a page's slug should redirect to its hosted booking page",
        responses=schemas.v3_responses(
            schemas.enveloped("ShouldRedirectResponse", SHOULD_REDIRECT)
        ),
    )
    def get(self, request, slug):
        page = Configuration.objects.filter(slug=slug, requires_session_auth=False).first()
        url = links.booking_page_url(page) if page is not None else ""
        return v3(
            {
                "should_redirect": bool(url),
                "slug": slug,
                "configuration_id": str(page.pk) if url else None,
                "url": url or None,
            }
        )
