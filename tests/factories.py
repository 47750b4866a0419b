"""factory_boy factories for every model the tests build. Extend here, not in test files."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, Team, User
from customers.models import Customer, Organization, OrganizationDomain
from kb.markdown import render as kb_render
from products.models import Component, Product, Version
from tickets.fields.models import FieldChoice, TicketField
from tickets.models import Message, MessageKind, Tag, Ticket

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@staff.example.com")
    name = factory.Faker("name")
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            for team in extracted:
                team.members.add(self)
        if create:
            self.save()


class AgentFactory(UserFactory):
    role = Role.AGENT


class AdminFactory(UserFactory):
    role = Role.ADMIN
    email = factory.Sequence(lambda n: f"admin{n}@staff.example.com")


class ProductManagerFactory(UserFactory):
    role = Role.PRODUCT_MANAGER
    email = factory.Sequence(lambda n: f"pm{n}@staff.example.com")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")


class OrganizationDomainFactory(DjangoModelFactory):
    class Meta:
        model = OrganizationDomain

    organization = factory.SubFactory(OrganizationFactory)
    domain = factory.Sequence(lambda n: f"org{n}.example.com")


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.net")
    name = factory.Faker("name")


class CustomerUserFactory(UserFactory):
    """A customer with a portal login: the ``User`` and its ``Customer`` contact."""

    role = Role.CUSTOMER
    email = factory.Sequence(lambda n: f"portal{n}@example.net")
    contact = factory.RelatedFactory(
        CustomerFactory,
        factory_related_name="user",
        email=factory.SelfAttribute("..email"),
        name=factory.SelfAttribute("..name"),
    )


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag-{n}")


class TicketFactory(DjangoModelFactory):
    """A ticket row with one public message from its requester.

    Builds state directly, for reads and permission tests; tests of behaviour call the services.
    """

    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    subject = factory.Faker("sentence", nb_words=6)
    requester = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("requester.organization")
    first_message = factory.RelatedFactory(
        "tests.factories.MessageFactory",
        factory_related_name="ticket",
        author_customer=factory.SelfAttribute("..requester"),
    )


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory, first_message=None)
    kind = MessageKind.REPLY
    body_text = factory.Faker("paragraph")


class NoteFactory(MessageFactory):
    kind = MessageKind.NOTE
    author_user = factory.SubFactory(AgentFactory)


# --- SLA ------------------------------------------------------------------------------------


class BusinessCalendarFactory(DjangoModelFactory):
    class Meta:
        model = "tickets.BusinessCalendar"

    name = factory.Sequence(lambda n: f"Calendar {n}")
    time_zone = "Europe/Berlin"


class SlaPolicyFactory(DjangoModelFactory):
    class Meta:
        model = "tickets.SlaPolicy"

    name = factory.Sequence(lambda n: f"Policy {n}")
    calendar = factory.SubFactory(BusinessCalendarFactory)
    first_response_minutes = 60
    resolution_minutes = 480


# --- Knowledge base ---------------------------------------------------------------------------


class KbCategoryFactory(DjangoModelFactory):
    class Meta:
        model = "kb.Category"

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class KbSectionFactory(DjangoModelFactory):
    class Meta:
        model = "kb.Section"

    category = factory.SubFactory(KbCategoryFactory)
    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class KbArticleFactory(DjangoModelFactory):
    """A published public article; ``status``/``internal`` to make the others. Built directly
    (body_html rendered here) — tests of the services go through ``kb.services``."""

    class Meta:
        model = "kb.Article"
        skip_postgeneration_save = True

    section = factory.SubFactory(KbSectionFactory)
    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    language = "en"
    summary = "A short summary."
    body = "Some **helpful** text."
    body_html = factory.LazyAttribute(lambda o: kb_render(o.body))
    status = "published"
    internal = False

    @factory.post_generation
    def search_vector(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy's hook
        """Indexed like the services index (PostgreSQL's stored vector)."""
        if create:
            from kb.search import index_articles

            index_articles([obj.pk])


# --- products ----------------------------------------------------------------------------------


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")


class VersionFactory(DjangoModelFactory):
    class Meta:
        model = Version

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"1.{n}")


class ComponentFactory(DjangoModelFactory):
    class Meta:
        model = Component

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"Component {n}")


# --- custom fields -----------------------------------------------------------------------------


class TicketFieldFactory(DjangoModelFactory):
    """A custom field; ``choices=["safari", "chrome"]`` adds choices (labels capitalised)."""

    class Meta:
        model = TicketField
        django_get_or_create = ("key",)
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"field{n}")
    label = factory.LazyAttribute(lambda o: o.key.replace("_", " ").capitalize())
    kind = "text"

    @factory.post_generation
    def choices(obj, create, extracted, **kwargs):
        for position, value in enumerate(extracted or ()):
            FieldChoice.objects.get_or_create(
                field=obj, value=value, defaults={"label": value.capitalize(), "position": position}
            )


class FieldChoiceFactory(DjangoModelFactory):
    class Meta:
        model = FieldChoice

    field = factory.SubFactory(TicketFieldFactory, kind="choice")
    value = factory.Sequence(lambda n: f"choice-{n}")
    label = factory.LazyAttribute(lambda o: o.value.capitalize())
