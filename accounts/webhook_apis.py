"""Webhooks over the REST API: an organization's endpoints and their delivery log.

Recruiters and organization admins read their own organization's endpoints and delivery
log; changing them (add, delete, rotate, redeliver) is for organization admins only, a
recruiter gets 403 ``webhooks_admin_only``. Another organization's are 404, candidates get
403. Every answer carrying a secret is sent with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import webhook_selectors, webhook_services
from accounts.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from config.api import Pagination
from config.schema import error_response


class WebhookEndpointOutput(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))
    created_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)
    created_by_removed = serializers.SerializerMethodField(
        help_text="True when the member who added it was removed from the organization (the endpoint stays, the admins' to manage)."
    )
    grace_ends_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="After a rotation with a grace period: until then the replaced secret also signs every delivery.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "is_active", "created_by", "created_by_removed", "created_at", "grace_ends_at"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_created_by_removed(self, endpoint: WebhookEndpoint) -> bool:
        return endpoint.created_by is not None and not endpoint.created_by.is_active


class WebhookEndpointWithSecretOutput(WebhookEndpointOutput):
    secret = serializers.CharField(help_text="Signs every delivery. Shown only now: store it.")

    class Meta(WebhookEndpointOutput.Meta):
        fields = [*WebhookEndpointOutput.Meta.fields, "secret"]


class WebhookDeliveryOutput(serializers.ModelSerializer):
    endpoint = serializers.IntegerField(source="endpoint_id")
    attempt_log = serializers.ListField(child=serializers.DictField(), help_text="attempt, at, status_code, error, duration_ms")
    payload = serializers.DictField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "last_duration_ms",
            "created_at",
            "delivered_at",
            "attempt_log",
            "payload",
        ]


def _with_secret(response: Response) -> Response:
    # The secret must not stay in a browser's or a proxy's cache.
    add_never_cache_headers(response)
    return response


class WebhookEndpointListCreateApi(APIView):
    """The organization's webhook endpoints; adding one returns its secret, once."""

    class InputSerializer(serializers.Serializer):
        url = serializers.URLField(max_length=500)
        events = serializers.MultipleChoiceField(choices=WebhookEvent.choices, allow_empty=False)

    @extend_schema(responses=WebhookEndpointOutput(many=True))
    def get(self, request: Request) -> Response:
        endpoints = webhook_selectors.webhook_endpoint_list(user=request.user)
        return Response(WebhookEndpointOutput(endpoints, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: WebhookEndpointWithSecretOutput,
            409: error_response("`too_many_webhooks`: the organization has the most endpoints it may have."),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhook_services.webhook_endpoint_create(
            user=request.user, url=data.validated_data["url"], events=sorted(data.validated_data["events"])
        )
        return _with_secret(Response(WebhookEndpointWithSecretOutput(endpoint).data, status=status.HTTP_201_CREATED))


class WebhookEndpointDeleteApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, endpoint_id: int) -> Response:
        endpoint = webhook_selectors.webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)
        webhook_services.webhook_endpoint_delete(user=request.user, endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookSecretRotateApi(APIView):
    """A new secret for the endpoint. By default (``grace_hours`` 0 or absent) the old one
    stops at once, as after a leak; with ``grace_hours`` it keeps signing beside the new one
    for that many hours."""

    class InputSerializer(serializers.Serializer):
        grace_hours = serializers.IntegerField(
            min_value=0,
            max_value=webhook_services.MAX_GRACE_HOURS,
            required=False,
            allow_null=True,
            help_text="Hours the old secret keeps signing; absent or 0: it stops at once.",
        )

    @extend_schema(request=InputSerializer, responses=WebhookEndpointWithSecretOutput)
    def post(self, request: Request, endpoint_id: int) -> Response:
        endpoint = webhook_selectors.webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhook_services.webhook_endpoint_secret_rotate(
            user=request.user, endpoint=endpoint, grace_hours=data.validated_data.get("grace_hours") or 0
        )
        return _with_secret(Response(WebhookEndpointWithSecretOutput(endpoint).data))


class WebhookDeliveryListApi(APIView):
    """The endpoint's delivery log, newest first, paginated."""

    pagination_class = Pagination  # so that the schema shows the paginated shape

    @extend_schema(responses=WebhookDeliveryOutput(many=True))
    def get(self, request: Request, endpoint_id: int) -> Response:
        endpoint = webhook_selectors.webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(webhook_selectors.webhook_delivery_list(endpoint=endpoint), request, view=self)
        return paginator.get_paginated_response(WebhookDeliveryOutput(page, many=True).data)


class WebhookRedeliverApi(APIView):
    """Sends a failed delivery again (same event id), with a fresh set of attempts."""

    @extend_schema(
        request=None,
        responses={
            202: WebhookDeliveryOutput,
            409: error_response("`delivery_not_failed`: only a failed delivery can be sent again."),
        },
    )
    def post(self, request: Request, delivery_id: int) -> Response:
        delivery = webhook_selectors.webhook_delivery_get(user=request.user, delivery_id=delivery_id)
        delivery = webhook_services.webhook_delivery_redeliver(user=request.user, delivery=delivery)
        return Response(WebhookDeliveryOutput(delivery).data, status=status.HTTP_202_ACCEPTED)
