"""The product catalog: products, their versions (releases) and components.

It sits between customers and tickets: a ticket (and a feedback item) may name a product, one of
its versions and one of its components, so tickets import this app, never the other way round.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from support import clock
from support.weburl import validate_web_url


class ProductQuerySet(models.QuerySet["Product"]):
    def active(self) -> ProductQuerySet:
        return self.filter(active=True)


class Product(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_products",
        help_text="The product manager who owns it.",
    )
    # Mail that comes to this address opens a ticket about this product (tickets.mail.inbound).
    support_email = models.EmailField(
        max_length=254,
        blank=True,
        help_text="Mail to this address opens tickets about this product.",
    )
    # An archived product stays on the tickets that name it but is offered for no new one.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="product_name_ci_unique",
                violation_error_message="A product with this name already exists.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="product_name_not_empty"),
            models.UniqueConstraint(
                Lower("support_email"),
                condition=~Q(support_email=""),
                name="product_support_email_unique",
                violation_error_message="Another product already has this address.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    SUPPORTED = "supported", _("Supported")
    DEPRECATED = "deprecated", _("Deprecated")
    END_OF_LIFE = "end_of_life", _("End of life")


class VersionQuerySet(models.QuerySet["Version"]):
    def offered(self) -> VersionQuerySet:
        """What a customer may pick for a new request: every version not at its end of life."""
        return self.exclude(status=VersionStatus.END_OF_LIFE)


class Version(models.Model):
    """A release of a product."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=60)
    released_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=VersionStatus.choices, default=VersionStatus.SUPPORTED
    )
    release_notes_url = models.CharField(max_length=500, blank=True, validators=[validate_web_url])
    created_at = models.DateTimeField(default=clock.now)

    objects = VersionQuerySet.as_manager()

    class Meta:
        # Newest release first; an unreleased version (no date) on top.
        ordering = [F("released_on").desc(nulls_first=True), "-id"]
        constraints = [
            models.UniqueConstraint(
                "product",
                Lower("name"),
                name="version_name_ci_unique",
                violation_error_message="This product already has a version with this name.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="version_status_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="version_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class ComponentQuerySet(models.QuerySet["Component"]):
    def active(self) -> ComponentQuerySet:
        return self.filter(active=True)


class Component(models.Model):
    """A part of a product (billing, exports, mobile app) requests and feedback are about."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = ComponentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "product",
                Lower("name"),
                name="component_name_ci_unique",
                violation_error_message="This product already has a component with this name.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="component_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name
