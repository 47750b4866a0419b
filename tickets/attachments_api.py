"""Attachments over the API: uploaded with a message or a new ticket, read and downloaded here
(only by those the ticket's visibility allows)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer

from support.api.renderers import BinaryRenderer
from support.api.views import ApiViewMixin
from support.errors import NotFound
from tickets.downloads import attachment_response
from tickets.message_serializers import AttachmentSerializer
from tickets.selectors import attachments_visible_to


@extend_schema_view(retrieve=extend_schema(summary="Get an attachment's details"))
class AttachmentViewSet(ApiViewMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Attachments are uploaded with a message (or a new ticket) and downloaded here."""

    serializer_class = AttachmentSerializer
    lookup_value_regex = r"[0-9a-fA-F-]{32,36}"
    extra_query_params = ("format",)  # ?format=bin|json picks the download's renderer

    def get_queryset(self):
        return attachments_visible_to(self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # DRF takes an empty ?format= as none given; the schema says it is bin or json.
        if request.query_params.get("format") == "":
            raise exceptions.ValidationError({"format": ["Give bin or json, or leave it out."]})

    def get_object(self):
        try:
            return super().get_object()
        except Exception as exc:  # a malformed UUID is simply not found
            if isinstance(exc, exceptions.APIException | NotFound):
                raise
            raise exceptions.NotFound() from exc

    @extend_schema(
        summary="Download an attachment",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file"
            )
        },
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, BinaryRenderer],
        url_name="download",
    )
    def download(self, request, pk=None):
        attachment = self.get_object()
        return attachment_response(attachment)

    def finalize_response(self, request, response, *args, **kwargs):
        # An error is JSON whatever renderer ?format= or Accept picked for the file.
        if response.status_code >= 400 and getattr(request, "accepted_renderer", None):
            if isinstance(request.accepted_renderer, BinaryRenderer):
                request.accepted_renderer = JSONRenderer()
                request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)
