"""Categories and sections in ``/api/v1/article-categories`` and ``/api/v1/article-sections``:
read by every token (a customer's sees only those holding an article they may read), written by
agents through ``kb.taxonomy``."""

from __future__ import annotations

import django_filters
from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from kb import taxonomy
from kb.api import AgentsWrite
from kb.models import Category, Language, Section
from kb.services import SLUG_PATTERN
from support.api.filters import IdFilter, ordering_filter
from support.api.permissions import ApiPermission
from support.api.schema import ID_REGEX
from support.api.serializers import StrictInputSerializer
from support.api.views import ApiViewMixin
from support.errors import NotFound

ORDERINGS = {"position": ("position", "name", "id"), "name": ("name", "id")}


class TranslationSerializer(StrictInputSerializer, serializers.Serializer):
    language = serializers.ChoiceField(
        choices=[c for c in Language.choices if c[0] != settings.LANGUAGE_CODE]
    )
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)


def _slug_field() -> serializers.RegexField:
    """Blank: made from the name. Given: with a letter or digit (kb.services.slug_for)."""
    return serializers.RegexField(SLUG_PATTERN, max_length=120, required=False, allow_blank=True)


class CategorySerializer(StrictInputSerializer, serializers.ModelSerializer):
    slug = _slug_field()
    translations = TranslationSerializer(many=True, required=False)

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "position", "translations"]
        read_only_fields = ["id"]
        extra_kwargs = {
            "description": {"required": False},
            "position": {"required": False},
        }


class SectionSerializer(StrictInputSerializer, serializers.ModelSerializer):
    category_id = serializers.IntegerField()
    slug = _slug_field()
    translations = TranslationSerializer(many=True, required=False)

    class Meta:
        model = Section
        fields = ["id", "category_id", "name", "slug", "description", "position", "translations"]
        read_only_fields = ["id"]
        extra_kwargs = {
            "description": {"required": False},
            "position": {"required": False},
        }
        validators: list = []


class SectionFilter(django_filters.FilterSet):
    category = IdFilter(field_name="category_id")
    ordering = ordering_filter(ORDERINGS)

    class Meta:
        model = Section
        fields: list[str] = []


class CategoryFilter(django_filters.FilterSet):
    ordering = ordering_filter(ORDERINGS)

    class Meta:
        model = Category
        fields: list[str] = []


class _TaxonomyViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [ApiPermission, AgentsWrite]
    ordering_choices = ORDERINGS
    default_ordering = "position"
    lookup_value_regex = ID_REGEX

    def _write(self, instance, data: dict):
        raise NotImplementedError

    def create(self, request):
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        saved = self._save(None, dict(incoming.validated_data))
        return Response(self.get_serializer(saved).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        instance = self.get_object()
        incoming = self.get_serializer(instance, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        current = self.get_serializer(instance).data
        data = {k: v for k, v in current.items() if k != "id"} | dict(incoming.validated_data)
        if "translations" not in incoming.validated_data:
            data.pop("translations", None)
        return Response(self.get_serializer(self._save(instance, data)).data)

    def _save(self, instance, data: dict):
        """The object's own fields, then its translations when given (the whole list)."""
        translations = data.pop("translations", None)
        saved = self._write(instance, data)
        if translations is not None:
            taxonomy.translations_set(
                by=self.request.user, of=saved, translations=[dict(t) for t in translations]
            )
        return type(saved).objects.prefetch_related("translations").get(pk=saved.pk)


@extend_schema_view(
    list=extend_schema(summary="List article categories (customers: those with readable articles)"),
    retrieve=extend_schema(summary="Get an article category"),
    create=extend_schema(summary="Create an article category (agents)"),
    partial_update=extend_schema(summary="Change an article category (agents)"),
)
class CategoryViewSet(_TaxonomyViewSet):
    serializer_class = CategorySerializer
    filterset_class = CategoryFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Category.objects.none()
        return taxonomy.categories_visible_to(self.request.user).prefetch_related("translations")

    def _write(self, instance, data: dict):
        return taxonomy.category_save(by=self.request.user, category=instance, **data)


@extend_schema_view(
    list=extend_schema(summary="List article sections (customers: those with readable articles)"),
    retrieve=extend_schema(summary="Get an article section"),
    create=extend_schema(summary="Create an article section (agents)"),
    partial_update=extend_schema(summary="Change an article section (agents)"),
)
class SectionViewSet(_TaxonomyViewSet):
    serializer_class = SectionSerializer
    filterset_class = SectionFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Section.objects.none()
        return taxonomy.sections_visible_to(self.request.user).prefetch_related("translations")

    def _write(self, instance, data: dict):
        category = Category.objects.filter(pk=data.pop("category_id")).first()
        if category is None:
            raise NotFound("No such category.", field="category_id")
        return taxonomy.section_save(
            by=self.request.user, section=instance, category=category, **data
        )
