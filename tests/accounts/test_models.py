import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError

from accounts.models import Role, User
from accounts.services import agent_set_availability, team_add_member, user_create
from support.errors import ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db


def test_email_is_unique_without_regard_to_case():
    """Two users whose emails differ only in case are refused by the database itself."""
    User.objects.create(email="dana@example.com")
    with pytest.raises(IntegrityError):
        User.objects.create(email="Dana@Example.com")


def test_user_create_normalizes_and_refuses_duplicates():
    user = user_create(email="  Sam@Example.COM ", name="Sam", password="x")
    assert user.email == "sam@example.com"
    with pytest.raises(ValidationFailed, match="already exists"):
        user_create(email="SAM@example.com")


def test_login_ignores_the_case_of_the_email(rf):
    user_create(email="lee@example.com", password=factories.PASSWORD)
    assert authenticate(rf.get("/"), username="LEE@example.com", password=factories.PASSWORD)


def test_invalid_role_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        User.objects.create(email="x@example.com", role="superhero")


def test_roles_decide_agent_and_admin_access():
    admin, agent = factories.AdminFactory(), factories.AgentFactory()
    customer = factories.CustomerUserFactory()
    assert (admin.is_agent, admin.is_admin, admin.is_staff) == (True, True, False)
    root = factories.AdminFactory(superuser=True)  # Django's /admin/: superusers only
    assert (root.is_staff, root.is_superuser) == (True, True)
    assert (agent.is_agent, agent.is_admin, agent.is_staff) == (True, False, False)
    assert (customer.is_agent, customer.is_customer, customer.is_staff) == (False, True, False)
    assert customer.customer.email == customer.email


def test_only_agents_join_teams_and_have_availability(team):
    customer = factories.CustomerUserFactory()
    with pytest.raises(ValidationFailed):
        team_add_member(team=team, user=customer)
    with pytest.raises(ValidationFailed):
        agent_set_availability(agent=customer, availability="online")
    agent = factories.AgentFactory()
    assert agent_set_availability(agent=agent, availability="away").availability == "away"
    with pytest.raises(ValidationFailed):
        agent_set_availability(agent=agent, availability="asleep")


def test_unknown_time_zone_is_refused():
    with pytest.raises(DjangoValidationError, match="time zone"):
        User.objects.create_user("tz@example.com", "x", time_zone="Mars/Olympus", role=Role.AGENT)
