"""v2 scheduling pages: /manage/pages (seed 000). Thin: check who is calling, read the
body (pages/api/v2_pages.py), call the configuration services, write the v2 shape.

Who reaches a page: the API key (every page); a grant access token (pages it organizes);
the page's own edit token (that page only)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from pages import services, tokens
from pages.api import parsing as p
from pages.api.access import uuid_or_none
from pages.api.auth import BearerAuthentication, Caller
from pages.api.calendars import calendar_json
from pages.api.errors import BadRequest, Forbidden, NotFound, Unauthorized
from pages.api.openapi import body_required
from pages.api.v2_pages import page_json, read_page
from pages.models import Configuration, Grant

PAGE_FIELDS = {
    "id": serializers.IntegerField(help_text="The v2 page ID (an integer)."),
    "configuration_id": serializers.UUIDField(
        help_text="The same page's v3 configuration ID (also accepted in the path)."
    ),
    "name": serializers.CharField(allow_blank=True),
    "slug": serializers.CharField(allow_null=True),
    "config": serializers.DictField(),
    "access_token_infos": serializers.ListField(child=serializers.DictField()),
    "created_at": serializers.DateField(),
    "modified_at": serializers.DateField(),
    "edit_token": serializers.CharField(required=False, help_text="Only when created."),
}
PAGE = inline_serializer(name="V2Page", fields=PAGE_FIELDS)
# The v2 error envelope, declared once with the v2 routes' other schemas.
V2_ERROR = {"$ref": "#/components/schemas/V2Error"}
# Seed 000's body; read by read_page, which names the field at fault. Only what every
# new page needs is spelled out: the organizers' access tokens.
NEW_PAGE = {
    "application/json": {
        "type": "object",
        "required": ["access_tokens"],
        "properties": {
            "access_tokens": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string"},
                "description": "The organizers' grant access tokens (each must be valid)",
            }
        },
    }
}
# What every authenticated v2 route can answer besides its success.
V2_ERRORS = {400: V2_ERROR, 401: V2_ERROR, 403: V2_ERROR, 404: V2_ERROR}
V2_DELETED = inline_serializer(name="V2Deleted", fields={"success": serializers.BooleanField()})
PAGE_LIST = inline_serializer(name="V2PageList", fields=PAGE_FIELDS, many=True)


# v2 lists page with offset and limit (the v2 SDKs ask for 100 at a time and stop at a
# shorter page).
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000


def read_paging(params, *, default_limit: int | None = DEFAULT_LIMIT) -> tuple[int, int | None]:
    """``offset`` and ``limit`` of a v2 list (a None limit: all that is left)."""
    offset = 0
    if params.get("offset") not in (None, ""):
        offset = p.whole_number(params["offset"], "offset", minimum=0, maximum=MAX_OFFSET)
    limit = default_limit
    if params.get("limit") not in (None, ""):
        limit = p.whole_number(params["limit"], "limit", minimum=1, maximum=MAX_LIMIT)
    return offset, limit


class V2View(p.RefusesNulCharacters, APIView):
    dialect = "v2"
    authentication_classes = [BearerAuthentication]
    permission_classes: list = []

    def caller(self) -> Caller:
        caller = self.request.auth
        if caller is None:
            raise Unauthorized("Use 'Authorization: Bearer <access token, API key or edit token>'.")
        if caller.kind == "session":
            raise Forbidden("A session cannot manage pages.")
        return caller


def grants_of_tokens(value, field: str = "access_tokens") -> list[Grant]:
    """The grants whose access tokens are listed (each must be valid)."""
    items = p.as_list(value, field)
    if not items:
        raise BadRequest("must list at least one access token", field=field)
    grants = []
    for index, token in enumerate(items):
        grant = None
        if isinstance(token, str):
            grant = Grant.objects.filter(access_token_digest=tokens.digest(token)).first()
        if grant is None:
            raise BadRequest("is not a valid access token", field=f"{field}[{index}]")
        if grant not in grants:
            grants.append(grant)
    return grants


def organizers_of(configuration: Configuration) -> list[Grant]:
    return [pt.grant for pt in configuration.participants.select_related("grant") if pt.grant_id]


def reachable_pages(caller: Caller):
    pages = Configuration.objects.select_related("grant").order_by("created_at", "pk")
    if caller.kind == "api_key":
        return pages
    if caller.kind == "grant":
        return pages.filter(participants__grant=caller.grant).distinct()
    return pages.filter(pk=caller.configuration.pk)


class ManagePagesView(V2View):
    """GET|POST /manage/pages"""

    @extend_schema(
        operation_id="v2_pages_list",
        tags=["v2"],
        parameters=[
            OpenApiParameter(
                "offset",
                {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
                description="Pages to skip.",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                description=f"Pages to return (default {DEFAULT_LIMIT}).",
            ),
        ],
        responses={200: PAGE_LIST, 400: V2_ERROR, 401: V2_ERROR, 403: V2_ERROR},
    )
    def get(self, request):
        caller = self.caller()
        offset, limit = read_paging(request.query_params)
        pages = reachable_pages(caller)[offset : offset + (limit or DEFAULT_LIMIT)]
        return Response([page_json(c) for c in pages])

    @extend_schema(
        operation_id=body_required("v2_pages_create"),
        tags=["v2"],
        request=NEW_PAGE,
        responses={200: PAGE, **V2_ERRORS},
    )
    def post(self, request):
        caller = self.caller()
        if caller.kind == "edit_token":
            raise Forbidden("An edit token manages its own page only.")
        body = p.as_object(request.data, "body")
        grants = grants_of_tokens(body.get("access_tokens"))
        if caller.kind == "grant" and caller.grant not in grants:
            raise Forbidden("Your access token must be among the page's access_tokens.")
        changes = read_page(body, grants)
        with transaction.atomic():
            configuration = services.create_configuration(grant=grants[0], changes=changes)
            edit_token = services.issue_edit_token(configuration=configuration)
        return Response({**page_json(configuration), "edit_token": edit_token})


class OnePageView(V2View):
    """Routes under /manage/pages/{page_id}."""

    def page(self, page_id: str) -> Configuration:
        """By its v2 integer ID or its v3 UUID."""
        caller = self.caller()
        page = None
        if (number := p.decimal_digits(page_id, max_length=18)) is not None:
            page = reachable_pages(caller).filter(v2_page_id=number).first()
        elif (pk := uuid_or_none(page_id)) is not None:
            page = reachable_pages(caller).filter(pk=pk).first()
        if page is None:
            raise NotFound("No page with this ID.")
        return page


class ManagePageView(OnePageView):
    """GET|PUT|DELETE /manage/pages/{page_id}"""

    @extend_schema(operation_id="v2_pages_get", tags=["v2"], responses={200: PAGE, **V2_ERRORS})
    def get(self, request, page_id):
        return Response(page_json(self.page(page_id)))

    @extend_schema(
        operation_id="v2_pages_update",
        tags=["v2"],
        request=OpenApiTypes.OBJECT,
        responses={200: PAGE, **V2_ERRORS},
    )
    def put(self, request, page_id):
        configuration = self.page(page_id)
        body = p.as_object(request.data, "body")
        if "access_tokens" in body:
            if request.auth.kind == "edit_token":
                raise Forbidden("An edit token cannot change the page's organizers.")
            grants = grants_of_tokens(body["access_tokens"])
        else:
            grants = organizers_of(configuration)
        changes = read_page(body, grants, configuration=configuration)
        configuration = services.update_configuration(configuration=configuration, changes=changes)
        return Response(page_json(Configuration.objects.get(pk=configuration.pk)))

    @extend_schema(
        operation_id="v2_pages_delete", tags=["v2"], responses={200: V2_DELETED, **V2_ERRORS}
    )
    def delete(self, request, page_id):
        services.delete_configuration(configuration=self.page(page_id))
        return Response({"success": True})


ACCOUNT_CALENDARS = inline_serializer(
    name="V2PageAccountCalendars",
    fields={
        "id": serializers.UUIDField(help_text="The organizer's account (grant) ID."),
        "name": serializers.CharField(allow_blank=True),
        "email": serializers.EmailField(),
        "calendars": serializers.ListField(child=serializers.DictField()),
    },
    many=True,
)


class ManagePageCalendarsView(OnePageView):
    """GET /manage/pages/{page_id}/calendars: each organizer's calendars, to choose the
    page's availability and booking calendars from."""

    @extend_schema(
        operation_id="v2_pages_calendars",
        tags=["v2"],
        responses={200: ACCOUNT_CALENDARS, 401: V2_ERROR, 403: V2_ERROR, 404: V2_ERROR},
    )
    def get(self, request, page_id):
        page = self.page(page_id)
        return Response(
            [
                {
                    "id": str(grant.pk),
                    "name": grant.name,
                    "email": grant.email,
                    "calendars": [
                        {**calendar_json(c), "account_id": str(grant.pk)}
                        for c in grant.calendars.order_by("-is_primary", "name", "pk")
                    ],
                }
                for grant in organizers_of(page)
            ]
        )


class ManagePageImageView(OnePageView):
    """PUT /manage/pages/{page_id}/upload-image: the hosted service hands out a storage
    address for a logo; this one stores no images."""

    @extend_schema(
        operation_id="v2_pages_upload_image",
        tags=["v2"],
        request=OpenApiTypes.OBJECT,
        responses={400: V2_ERROR, 401: V2_ERROR, 403: V2_ERROR, 404: V2_ERROR},
    )
    def put(self, request, page_id):
        self.page(page_id)  # who may ask, and which page: as for the page itself
        raise BadRequest(
            "Images are not stored here: publish the logo at an https address of your own "
            "and set config.appearance.logo to it."
        )
