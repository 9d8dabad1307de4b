"""OpenAPI schema generation."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """Names nested serializers after their API (``SignUpApi.InputSerializer`` →
    ``SignUpInput``), so the HackSoft style's many ``InputSerializer`` classes do not
    collide in the OpenAPI components."""

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        owner, _, _ = type(serializer).__qualname__.rpartition(".")
        if owner:
            return owner.split(".")[-1].removesuffix("Api") + name
        return name
