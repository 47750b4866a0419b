from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User, normalize_email
from customers.models import Customer, CustomerEvent, Organization, OrganizationDomain
from support import clock, events
from support.errors import AlreadyExists, NotPermitted, ValidationFailed
from support.text import clean_name


def _domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


@transaction.atomic
def organization_create(
    *, name: str, domains: list[str] | tuple[str, ...] = (), notes: str = ""
) -> Organization:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("An organization needs a name."), field="name")
    if Organization.objects.filter(name__iexact=name).exists():
        raise AlreadyExists(
            _("An organization called %(name)s already exists.") % {"name": repr(name)},
            field="name",
        )
    organization = Organization.objects.create(name=name, notes=notes)
    for domain in domains:
        organization_add_domain(organization=organization, domain=domain)
    return organization


def organization_add_domain(*, organization: Organization, domain: str) -> OrganizationDomain:
    domain = domain.strip().lower().lstrip("@")
    if not domain or "." not in domain:
        raise ValidationFailed(
            _("%(domain)s is not an email domain.") % {"domain": repr(domain)}, field="domains"
        )
    existing = (
        OrganizationDomain.objects.filter(domain=domain).select_related("organization").first()
    )
    if existing and existing.organization_id != organization.id:
        raise AlreadyExists(
            _("The domain %(domain)s already belongs to %(organization)s.")
            % {"domain": domain, "organization": existing.organization},
            field="domains",
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
        raise AlreadyExists(_("A customer with this email address already exists."), field="email")
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


def customer_get_or_create(*, email: str, name: str = "", locale: str = "en") -> Customer:
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
            return customer_create(email=email, name=name, locale=locale)
    except (IntegrityError, ValidationFailed, DjangoValidationError):
        found = Customer.objects.with_email(email).first()
        if found is None:
            raise  # not a duplicate: a real problem with the address
        return found


# The contact's ``locale`` left empty: the portal follows the browser (cookie, then
# ``Accept-Language``) and mail, which has no browser to ask, the default language.
FROM_BROWSER = ""


@transaction.atomic
def customer_set_locale(*, customer: Customer, locale: str, by: User | None = None) -> Customer:
    """The language a contact reads the portal, help center and our mail in: one of
    ``settings.LANGUAGES`` (a regional variant such as "de-AT" is stored as its language), or
    :data:`FROM_BROWSER`. A real change is recorded as a ``customer.locale_changed`` event with
    who made it (the contact from the portal's switcher, or an agent from the profile page)."""
    from support.i18n import language_for

    wanted = (locale or "").strip()
    if wanted == FROM_BROWSER:
        language = FROM_BROWSER
    else:
        language = language_for(wanted)
        if language != wanted.lower().replace("_", "-").split("-")[0]:
            raise ValidationFailed(_("That is not a language we offer."), field="locale")
    if by is not None and not by.is_agent and getattr(by, "customer", None) != customer:
        raise NotPermitted(_("Only the contact or an agent can change a contact's language."))
    old = customer.locale
    if old == language:
        return customer
    customer.locale = language
    customer.save(update_fields=["locale"])
    customer_event_record(
        customer=customer,
        kind=CustomerEvent.Kind.LOCALE_CHANGED,
        by=by,
        data={"old": old, "new": language},
    )
    return customer


def customer_event_record(
    *, customer: Customer, kind: str, by: User | None, data: dict
) -> CustomerEvent:
    """Write a change to a contact on the one event stream, in the caller's transaction; it is
    published after commit (while importing history, stored as already dispatched)."""
    at = clock.now()
    quiet = events.is_suppressed()
    event = CustomerEvent.objects.create(
        customer=customer,
        kind=kind,
        by=by,
        data=data,
        at=at,
        dispatched_at=at if quiet else None,
    )
    if not quiet:
        events.publish_on_commit(CustomerEvent, [event.pk])
    return event


# --- editing a contact and an organization (the agent's profile pages) ---------------------


def _require_agent(by: User) -> None:
    if not by.is_active or not by.is_agent:
        raise NotPermitted(_("Only agents can change contacts and organizations."))


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    by: User,
    name: str,
    email: str,
    phone: str = "",
    organization: Organization | None = None,
    is_org_manager: bool = False,
    notes: str = "",
) -> Customer:
    """Change a contact's details. The address stays unique (any case); only a contact in an
    organization can manage it."""
    _require_agent(by)
    email = normalize_email(email)
    if not email:
        raise ValidationFailed(_("A contact needs an email address."), field="email")
    if Customer.objects.with_email(email).exclude(pk=customer.pk).exists():
        raise AlreadyExists(
            _("Another contact already has the address %(email)s; merge the two instead.")
            % {"email": email},
            field="email",
        )
    if is_org_manager and organization is None:
        raise ValidationFailed(
            _("Only a contact in an organization can manage it."), field="is_org_manager"
        )
    customer.name = name.strip()
    customer.email = email
    customer.phone = phone.strip()
    customer.organization = organization
    customer.is_org_manager = is_org_manager
    customer.notes = notes.strip()
    try:
        customer.full_clean(exclude=["user", "merged_into"])
    except DjangoValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ValidationFailed(" ".join(messages), field=field) from None
    # Only the details: field values are ``customers.fields``' to write.
    customer.save(
        update_fields=["name", "email", "phone", "organization", "is_org_manager", "notes"]
    )
    return customer


@transaction.atomic
def organization_update(
    *, organization: Organization, by: User, name: str, notes: str = "", domains: list[str]
) -> Organization:
    """Change an organization's name, notes and email domains (the whole list: domains left
    out are released; new contacts of the listed ones join it)."""
    _require_agent(by)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("An organization needs a name."), field="name")
    if Organization.objects.filter(name__iexact=name).exclude(pk=organization.pk).exists():
        raise AlreadyExists(
            _("An organization called %(name)s already exists.") % {"name": repr(name)},
            field="name",
        )
    organization.name = name
    organization.notes = notes.strip()
    organization.save(update_fields=["name", "notes"])
    wanted = {d.strip().lower().lstrip("@") for d in domains if d.strip()}
    organization.domains.exclude(domain__in=wanted).delete()
    for domain in sorted(wanted):
        organization_add_domain(organization=organization, domain=domain)
    return organization
