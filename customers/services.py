from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from accounts.models import normalize_email
from customers.models import Customer, Organization, OrganizationDomain
from support.errors import ValidationFailed
from support.text import clean_name


def _domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


@transaction.atomic
def organization_create(
    *, name: str, domains: list[str] | tuple[str, ...] = (), notes: str = ""
) -> Organization:
    name = name.strip()
    if not name:
        raise ValidationFailed("An organization needs a name.", field="name")
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(f"An organization called {name!r} already exists.", field="name")
    organization = Organization.objects.create(name=name, notes=notes)
    for domain in domains:
        organization_add_domain(organization=organization, domain=domain)
    return organization


def organization_add_domain(*, organization: Organization, domain: str) -> OrganizationDomain:
    domain = domain.strip().lower().lstrip("@")
    if not domain or "." not in domain:
        raise ValidationFailed(f"{domain!r} is not an email domain.", field="domains")
    existing = (
        OrganizationDomain.objects.filter(domain=domain).select_related("organization").first()
    )
    if existing and existing.organization_id != organization.id:
        raise ValidationFailed(
            f"The domain {domain} already belongs to {existing.organization}.", field="domains"
        )
    return existing or OrganizationDomain.objects.create(organization=organization, domain=domain)


def organization_for_email(email: str) -> Organization | None:
    domain = OrganizationDomain.objects.filter(domain=_domain_of(email)).select_related(
        "organization"
    )
    found = domain.first()
    return found.organization if found else None


@transaction.atomic
def customer_create(
    *,
    email: str,
    name: str = "",
    phone: str = "",
    organization: Organization | None = None,
    locale: str = "en",
    time_zone: str = "UTC",
) -> Customer:
    """Create a contact; without an explicit organization, its email domain picks one."""
    email = normalize_email(email)
    if Customer.objects.with_email(email).exists():
        raise ValidationFailed("A customer with this email address already exists.", field="email")
    customer = Customer(
        email=email,
        name=clean_name(name),
        phone=phone.strip(),
        organization=organization or organization_for_email(email),
        locale=locale,
        time_zone=time_zone,
    )
    customer.full_clean()
    customer.save()
    return customer


def customer_get_or_create(*, email: str, name: str = "") -> Customer:
    """The contact with this address, created if there is none. Race-free: two processes that
    both find nothing and both create (two mails from a new sender at once) end with the one
    contact — the loser's INSERT fails on the unique constraint in a savepoint and it reads the
    winner's row instead."""
    email = normalize_email(email)
    existing = Customer.objects.with_email(email).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return customer_create(email=email, name=name)
    except (IntegrityError, ValidationFailed, DjangoValidationError):
        found = Customer.objects.with_email(email).first()
        if found is None:
            raise  # not a duplicate: a real problem with the address
        return found
