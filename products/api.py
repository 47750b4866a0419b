"""``/api/v1/products``, ``/api/v1/product-versions`` and ``/api/v1/product-components``.

Agents and product managers read the catalog; admins and product managers change it (others get
403, customers 404). Every write calls ``products.services``, the functions the pages call, so a
refused change is the same sentence: a 400 naming the field, or a 409 with the count of tickets
that still name what is being deleted.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from accounts.models import User
from products import services
from products.models import Component, Product, Version, VersionStatus
from support.api.filters import IdFilter, ordering_filter
from support.api.permissions import ApiPermission
from support.api.schema import ID_REGEX
from support.api.serializers import StrictInputSerializer, id_field, web_url_field
from support.api.views import ApiViewMixin
from support.errors import InvalidChange, NotFound, ValidationFailed


class CatalogReaders(permissions.BasePermission):
    """Agents and product managers; customers get a 404, not a hint."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user.is_authenticated and not (user.is_agent or user.is_product_manager):
            raise exceptions.NotFound()
        return True


class VersionSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField(read_only=True)
    # A link, or "" when there is none (not a URI then: the schema says string).
    release_notes_url = serializers.CharField(read_only=True)

    class Meta:
        model = Version
        fields = ["id", "product_id", "name", "released_on", "status", "release_notes_url"]
        read_only_fields = fields


class ComponentSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Component
        fields = ["id", "product_id", "name", "description", "active"]
        read_only_fields = fields


class ProductSerializer(serializers.ModelSerializer):
    manager_id = serializers.IntegerField(read_only=True, allow_null=True)
    # Plain text: empty when the product has no address (an "email" format would refuse "").
    support_email = serializers.CharField(
        read_only=True, help_text="Mail to this address opens tickets about this product."
    )
    versions = VersionSerializer(many=True, read_only=True)
    components = ComponentSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "manager_id",
            "support_email",
            "active",
            "created_at",
            "versions",
            "components",
        ]
        read_only_fields = fields


class ProductInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.RegexField(  # blank: made from the name
        r"^[-a-zA-Z0-9_]+$", max_length=60, allow_blank=True, required=False, default=""
    )
    description = serializers.CharField(allow_blank=True, required=False, default="")
    manager_id = id_field(allow_null=True, required=False, default=None)
    support_email = serializers.EmailField(
        max_length=254,
        allow_blank=True,
        required=False,
        default="",
        help_text="Mail to this address opens tickets about this product.",
    )
    active = serializers.BooleanField(required=False, default=True)


class VersionInputSerializer(StrictInputSerializer):
    product_id = id_field(help_text="Set when the version is created; it can't move.")
    name = serializers.CharField(max_length=60)
    released_on = serializers.DateField(allow_null=True, required=False, default=None)
    status = serializers.ChoiceField(
        VersionStatus.choices, required=False, default=VersionStatus.SUPPORTED
    )
    release_notes_url = web_url_field(max_length=500, allow_blank=True, required=False, default="")


class ComponentInputSerializer(StrictInputSerializer):
    product_id = id_field(help_text="Set when the component is created; it can't move.")
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    active = serializers.BooleanField(required=False, default=True)


class ProductFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter()
    slug = django_filters.CharFilter()
    q = django_filters.CharFilter(method="search", max_length=200, help_text="Name or slug")
    ordering = ordering_filter({"name": ("name", "id"), "id": ("id",)})

    class Meta:
        model = Product
        fields: list[str] = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value))


class VersionFilter(django_filters.FilterSet):
    product = IdFilter(field_name="product_id")
    status = django_filters.ChoiceFilter(choices=VersionStatus.choices)
    ordering = ordering_filter({"id": ("id",), "-id": ("-id",)})

    class Meta:
        model = Version
        fields: list[str] = []


class ComponentFilter(django_filters.FilterSet):
    product = IdFilter(field_name="product_id")
    active = django_filters.BooleanFilter()
    ordering = ordering_filter({"name": ("name", "id"), "id": ("id",)})

    class Meta:
        model = Component
        fields: list[str] = []


def _manager(manager_id: int | None) -> User | None:
    if manager_id is None:
        return None
    user = User.objects.filter(pk=manager_id).first()
    if user is None:
        raise NotFound(f"No such user: {manager_id}.", field="manager_id")
    return user


def _product(product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFound(f"No such product: {product_id}.", field="product_id")
    return product


def _api_field(exc: ValidationFailed) -> ValidationFailed:
    if exc.field in ("manager", "product"):
        exc.field = f"{exc.field}_id"
    return exc


class _CatalogViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Reading for agents and product managers; create, PATCH and DELETE through the service."""

    permission_classes = [ApiPermission, CatalogReaders]
    lookup_value_regex = ID_REGEX
    input_serializer: type[StrictInputSerializer]
    resource_path = ""

    def _input(self, request, *, partial: bool) -> dict:
        data = self.input_serializer(
            data=request.data, context={"request": request}, partial=partial
        )
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def _save(self, obj, save) -> object:
        try:
            return save(obj)
        except ValidationFailed as exc:
            raise _api_field(exc) from None

    def _answer(self, obj, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)
        headers = {}
        if code == status.HTTP_201_CREATED:
            headers["Location"] = f"/api/v1/{self.resource_path}/{fresh.pk}"
        return Response(self.get_serializer(fresh).data, status=code, headers=headers)


@extend_schema_view(
    list=extend_schema(summary="List products with their versions and components"),
    retrieve=extend_schema(summary="Get a product"),
    create=extend_schema(
        summary="Create a product (admins, product managers)",
        request=ProductInputSerializer,
        responses={201: ProductSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a product",
        request=ProductInputSerializer,
        responses={200: ProductSerializer},
    ),
    destroy=extend_schema(
        summary="Delete a product nothing names (409 with the count otherwise)",
        responses={204: None},
    ),
)
class ProductViewSet(_CatalogViewSet):
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    input_serializer = ProductInputSerializer
    ordering_choices = {"name": ("name", "id"), "id": ("id",)}
    default_ordering = "name"
    resource_path = "products"

    def get_queryset(self):
        return Product.objects.prefetch_related(
            Prefetch("versions", queryset=Version.objects.all()),
            Prefetch("components", queryset=Component.objects.all()),
        )

    def create(self, request, *args, **kwargs):
        values = self._input(request, partial=False)
        values["manager"] = _manager(values.pop("manager_id"))
        product = self._save(
            Product(**values), lambda p: services.product_save(product=p, by=request.user)
        )
        return self._answer(product, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        values = self._input(request, partial=True)
        with transaction.atomic():
            product = self.get_object()
            if "manager_id" in values:
                values["manager"] = _manager(values.pop("manager_id"))
            for name, value in values.items():
                setattr(product, name, value)
            product = self._save(
                product, lambda p: services.product_save(product=p, by=request.user)
            )
        return self._answer(product)

    def destroy(self, request, *args, **kwargs):
        services.product_delete(product=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _PartViewSet(_CatalogViewSet):
    """A version or a component: created under a product, never moved to another."""

    model: type[Version] | type[Component]

    def save_part(self, obj, by: User):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        values = self._input(request, partial=False)
        values["product"] = _product(values.pop("product_id"))
        part = self._save(self.model(**values), lambda o: self.save_part(o, request.user))
        return self._answer(part, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        values = self._input(request, partial=True)
        with transaction.atomic():
            part = self.get_object()
            product_id = values.pop("product_id", part.product_id)
            if product_id != part.product_id:
                # Its own product_id is taken (sent back as read); another one conflicts with
                # what is stored, which the schema can't know: a 409.
                raise InvalidChange(
                    "A version or component can't move to another product.", field="product_id"
                )
            for name, value in values.items():
                setattr(part, name, value)
            part = self._save(part, lambda o: self.save_part(o, request.user))
        return self._answer(part)


@extend_schema_view(
    list=extend_schema(summary="List product versions (?product=)"),
    retrieve=extend_schema(summary="Get a product version"),
    create=extend_schema(
        summary="Add a version to a product",
        request=VersionInputSerializer,
        responses={201: VersionSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a version",
        request=VersionInputSerializer,
        responses={200: VersionSerializer},
    ),
    destroy=extend_schema(
        summary="Delete a version nothing names (409 with the count otherwise)",
        responses={204: None},
    ),
)
class VersionViewSet(_PartViewSet):
    serializer_class = VersionSerializer
    filterset_class = VersionFilter
    input_serializer = VersionInputSerializer
    model = Version
    ordering_choices = {"id": ("id",), "-id": ("-id",)}
    default_ordering = "-id"
    resource_path = "product-versions"

    def get_queryset(self):
        return Version.objects.all()

    def save_part(self, obj, by: User):
        return services.version_save(version=obj, by=by)

    def destroy(self, request, *args, **kwargs):
        services.version_delete(version=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List product components (?product=)"),
    retrieve=extend_schema(summary="Get a product component"),
    create=extend_schema(
        summary="Add a component to a product",
        request=ComponentInputSerializer,
        responses={201: ComponentSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a component",
        request=ComponentInputSerializer,
        responses={200: ComponentSerializer},
    ),
    destroy=extend_schema(
        summary="Delete a component nothing names (409 with the count otherwise)",
        responses={204: None},
    ),
)
class ComponentViewSet(_PartViewSet):
    serializer_class = ComponentSerializer
    filterset_class = ComponentFilter
    input_serializer = ComponentInputSerializer
    model = Component
    ordering_choices = {"name": ("name", "id"), "id": ("id",)}
    default_ordering = "name"
    resource_path = "product-components"

    def get_queryset(self):
        return Component.objects.all()

    def save_part(self, obj, by: User):
        return services.component_save(component=obj, by=by)

    def destroy(self, request, *args, **kwargs):
        services.component_delete(component=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
