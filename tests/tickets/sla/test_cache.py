"""The active SLA policies are kept per process and reloaded on every change (tickets.sla.cache)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from tests import factories
from tickets.models import Priority, Ticket
from tickets.sla.cache import active_policies
from tickets.sla.models import SlaPolicy
from tickets.sla.services import policy_for, policy_save


def _unsaved_ticket(**fields) -> Ticket:
    return Ticket(subject="Printer", requester=factories.CustomerFactory(), **fields)


@pytest.mark.django_db(transaction=True)
def test_policies_are_read_once_then_from_memory_until_a_change(django_assert_num_queries):
    policy = factories.SlaPolicyFactory(is_default=True)
    ticket = _unsaved_ticket()
    assert policy_for(ticket, tag_ids=set()) == policy  # loads them
    with django_assert_num_queries(0):
        assert policy_for(ticket, tag_ids=set()) == policy
    urgent = factories.SlaPolicyFactory(priorities=[Priority.URGENT], position=1)
    assert policy_for(_unsaved_ticket(priority=Priority.URGENT), tag_ids=set()) == urgent


@pytest.mark.django_db(transaction=True)
def test_a_change_made_by_another_process_is_seen_once_it_bumps_the_version():
    policy = factories.SlaPolicyFactory(is_default=True)
    ticket = _unsaved_ticket()
    assert policy_for(ticket, tag_ids=set()) == policy
    # Another process's change: rows changed without a signal here, the version bumped there.
    SlaPolicy.objects.filter(pk=policy.pk).update(is_active=False)
    assert policy_for(ticket, tag_ids=set()) == policy  # this process still holds its copy
    cache.set(active_policies.key, "changed elsewhere", timeout=None)
    assert policy_for(ticket, tag_ids=set()) is None


@pytest.mark.django_db(transaction=True)
def test_a_condition_changed_through_the_service_applies_at_once():
    policy = factories.SlaPolicyFactory(is_default=False)
    ticket = _unsaved_ticket(priority=Priority.HIGH)
    assert policy_for(ticket, tag_ids=set()) == policy
    policy.priorities = [Priority.URGENT]
    policy_save(policy=policy, tags=["vip"])
    assert policy_for(ticket, tag_ids=set()) is None


def test_a_change_rolled_back_leaves_no_stale_copy(db):
    ticket = _unsaved_ticket()
    assert policy_for(ticket, tag_ids=set()) is None
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.SlaPolicyFactory(is_default=True)
        assert policy_for(ticket, tag_ids=set()) is not None  # sees its own change
        raise RuntimeError("rolled back")
    assert policy_for(ticket, tag_ids=set()) is None
