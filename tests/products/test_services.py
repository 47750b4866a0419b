"""The catalog's services: who may change it, what a name must be, and deleting what is used."""

from __future__ import annotations

import pytest

from products import services
from products.models import Product, Version, VersionStatus
from support.errors import NotPermitted, ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(db):
    return factories.ProductManagerFactory()


def test_product_manager_creates_a_product_with_a_slug_from_its_name(pm):
    product = services.product_save(product=Product(name="  Acme Cloud ", manager=pm), by=pm)
    assert (product.name, product.slug, product.manager) == ("Acme Cloud", "acme-cloud", pm)


def test_a_name_without_letters_or_digits_gets_a_slug_that_stays(pm):
    product = services.product_save(product=Product(name="云服务"), by=pm)
    slug = product.slug
    assert slug.startswith("product-")
    product.name, product.slug = "新名字", ""
    assert services.product_save(product=product, by=pm).slug == slug


def test_agents_and_customers_cannot_change_the_catalog(agent):
    with pytest.raises(NotPermitted):
        services.product_save(product=Product(name="X"), by=agent)
    with pytest.raises(NotPermitted):
        services.version_save(
            version=Version(product=factories.ProductFactory(), name="1"), by=agent
        )


def test_names_are_unique_in_any_case(pm):
    services.product_save(product=Product(name="Acme"), by=pm)
    with pytest.raises(ValidationFailed, match="already exists"):
        services.product_save(product=Product(name="ACME", slug="other"), by=pm)
    with pytest.raises(ValidationFailed) as error:
        services.product_save(product=Product(name="Acme 2", slug="acme"), by=pm)
    assert error.value.field == "slug"


def test_version_names_are_unique_per_product_only(pm):
    a, b = factories.ProductFactory(), factories.ProductFactory()
    services.version_save(version=Version(product=a, name="2.0"), by=pm)
    services.version_save(version=Version(product=b, name="2.0"), by=pm)
    with pytest.raises(ValidationFailed, match="already has a version"):
        services.version_save(version=Version(product=a, name="2.0 "), by=pm)


def test_a_bad_release_notes_link_names_the_field(pm):
    with pytest.raises(ValidationFailed) as error:
        services.version_save(
            version=Version(product=factories.ProductFactory(), name="3", release_notes_url="nope"),
            by=pm,
        )
    assert error.value.field == "release_notes_url"


def test_the_owner_must_be_a_product_manager_or_admin(pm, agent):
    with pytest.raises(ValidationFailed, match="product manager"):
        services.product_save(product=Product(name="Acme", manager=agent), by=pm)


def test_a_version_of_another_product_is_refused():
    one, other = factories.ProductFactory(), factories.ProductFactory()
    version = factories.VersionFactory(product=other)
    with pytest.raises(ValidationFailed, match="not a version of") as error:
        services.check_product_choice(product=one, version=version, component=None)
    assert error.value.field == "version"
    with pytest.raises(ValidationFailed, match="Choose a product first"):
        services.check_product_choice(product=None, version=version, component=None)


def test_new_tickets_may_not_name_what_is_archived_or_at_end_of_life():
    product = factories.ProductFactory()
    old = factories.VersionFactory(product=product, status=VersionStatus.END_OF_LIFE)
    services.check_product_choice(product=product, version=old, component=None)
    with pytest.raises(ValidationFailed, match="end of life"):
        services.check_product_choice(product=product, version=old, component=None, for_new=True)
    product.active = False
    with pytest.raises(ValidationFailed, match="archived"):
        services.check_product_choice(product=product, version=None, component=None, for_new=True)


def test_deleting_an_unused_product_takes_its_versions_and_components(pm):
    product = factories.ProductFactory()
    factories.VersionFactory(product=product)
    factories.ComponentFactory(product=product)
    services.product_delete(product=product, by=pm)
    assert not Product.objects.exists()
    assert not Version.objects.exists()
