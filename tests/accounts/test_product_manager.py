import pytest
from django.db import IntegrityError
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.decorators import agent_required, insights_required
from accounts.models import Role, User
from tests import factories


@insights_required
def _insights(request):
    return HttpResponse("ok")


@agent_required
def _agents(request):
    return HttpResponse("ok")


def test_product_manager_role_is_accepted_by_the_database(db):
    pm = factories.ProductManagerFactory()
    pm.refresh_from_db()
    assert pm.role == Role.PRODUCT_MANAGER
    assert pm.is_product_manager and not pm.is_agent and not pm.is_customer


def test_unknown_role_is_still_refused_by_the_database(db):
    with pytest.raises(IntegrityError):
        User.objects.create(email="x@example.com", role="boss")


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (factories.ProductManagerFactory, 200),
        (factories.AgentFactory, 200),
        (factories.AdminFactory, 200),
        (factories.CustomerUserFactory, 404),
    ],
)
def test_insights_guard_admits_product_managers_and_agents(db, make, status):
    from django.http import Http404

    request = RequestFactory().get("/feedback/")
    request.user = make()
    if status == 404:
        with pytest.raises(Http404):
            _insights(request)
    else:
        assert _insights(request).status_code == 200


def test_product_manager_is_not_an_agent_for_ticket_pages(db):
    from django.http import Http404

    request = RequestFactory().get("/tickets/")
    request.user = factories.ProductManagerFactory()
    with pytest.raises(Http404):
        _agents(request)
