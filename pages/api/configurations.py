"""Configurations (v3): ``/v3/grants/{grant_id}/scheduling/configurations[/{id}]``.
Thin: read the body (configuration_input), call a service, write the configuration
(configuration_output)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema

from pages import services
from pages.api.access import OrganizerView, uuid_or_none
from pages.api.configuration_input import WIRE_PATHS, read_configuration
from pages.api.configuration_output import configuration_json, with_related
from pages.api.configuration_schema import ConfigurationCreateSchema, ConfigurationSchema
from pages.api.envelope import page_of, v3, v3_deleted
from pages.api.errors import NotFound
from pages.api.model_errors import service_errors
from pages.api.openapi import DELETED, PAGE_PARAMETERS, enveloped, responses
from pages.models import Configuration, Grant

ONE = enveloped("ConfigurationOne", ConfigurationSchema())
TAGS = ["configurations"]


def stored(configuration_id) -> dict:
    """The configuration as it is now in the database."""
    return configuration_json(with_related(Configuration.objects).get(pk=configuration_id))


class ConfigurationListView(OrganizerView):
    """GET|POST /v3/grants/{grant_id}/scheduling/configurations"""

    @extend_schema(
        operation_id="configurations_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses=responses(
            enveloped("ConfigurationList", ConfigurationSchema(many=True), listing=True)
        ),
    )
    def get(self, request, grant_id):
        grant = self.grant(grant_id)
        configurations = with_related(grant.configurations.order_by("created_at", "pk"))
        items, cursor = page_of(configurations, request.query_params)
        return v3([configuration_json(c) for c in items], next_cursor=cursor, listing=True)

    @extend_schema(
        operation_id="configurations_create",
        tags=TAGS,
        request=ConfigurationCreateSchema,
        responses=responses(ONE),
    )
    def post(self, request, grant_id):
        grant = self.grant(grant_id)
        changes = read_configuration(request.data, caller=self.caller())
        with service_errors(WIRE_PATHS):
            configuration = services.create_configuration(grant=grant, changes=changes)
        return v3(stored(configuration.pk))


class ConfigurationDetailView(OrganizerView):
    """GET|PUT|DELETE /v3/grants/{grant_id}/scheduling/configurations/{configuration_id}"""

    def configuration(self, grant: Grant, configuration_id: str) -> Configuration:
        configuration_uuid = uuid_or_none(configuration_id)
        configuration = None
        if configuration_uuid is not None:
            configuration = grant.configurations.filter(pk=configuration_uuid).first()
        if configuration is None:
            raise NotFound("No configuration with this ID under this grant.")
        return configuration

    @extend_schema(operation_id="configurations_retrieve", tags=TAGS, responses=responses(ONE))
    def get(self, request, grant_id, configuration_id):
        configuration = self.configuration(self.grant(grant_id), configuration_id)
        return v3(stored(configuration.pk))

    @extend_schema(
        operation_id="configurations_update",
        tags=TAGS,
        summary="Replace the nested objects sent; keep those not sent",
        request=ConfigurationSchema,
        responses=responses(ONE),
    )
    def put(self, request, grant_id, configuration_id):
        configuration = self.configuration(self.grant(grant_id), configuration_id)
        changes = read_configuration(
            request.data, caller=self.caller(), configuration=configuration
        )
        with service_errors(WIRE_PATHS):
            services.update_configuration(configuration=configuration, changes=changes)
        return v3(stored(configuration.pk))

    @extend_schema(
        operation_id="configurations_destroy",
        tags=TAGS,
        summary="Delete a configuration and its bookings",
        responses=responses(DELETED),
    )
    def delete(self, request, grant_id, configuration_id):
        configuration = self.configuration(self.grant(grant_id), configuration_id)
        services.delete_configuration(configuration=configuration)
        return v3_deleted()
