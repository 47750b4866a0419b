import pytest

from tests import factories
from tickets.automation import services


@pytest.fixture
def billing(db):
    return factories.TeamFactory(name="Billing")


@pytest.fixture
def general(db):
    team = factories.TeamFactory(name="General")
    services.default_team_set(team)
    return team


@pytest.fixture
def routing_rule(db):
    def make(name="Rule", conditions=None, actions=None, **kw):
        from tickets.automation.models import RoutingRule

        return services.rule_save(
            RoutingRule(**kw), name=name, conditions=conditions or {}, actions=actions or []
        )

    return make


@pytest.fixture
def trigger(db):
    def make(name="Trigger", conditions=None, actions=None, **kw):
        from tickets.automation.models import Trigger

        return services.rule_save(
            Trigger(**kw), name=name, conditions=conditions or {}, actions=actions or []
        )

    return make
