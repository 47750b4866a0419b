"""The active SLA policies, kept per process (``support.localcache``): matching a new ticket or a
changed one reads them from memory instead of 3–4 queries (policies, their organizations and
tags, the calendar's holidays). Every change to a policy, its conditions, a calendar or a holiday
reloads them, in every process."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from support.localcache import ProcessCache
from tickets.sla.models import BusinessCalendar, Holiday, SlaPolicy


def _load() -> tuple[SlaPolicy, ...]:
    policies = tuple(
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related("organizations", "tags")
    )
    for policy in policies:
        policy.business_calendar = policy.calendar.as_calendar()  # holidays read once, here
    return policies


active_policies: ProcessCache[tuple[SlaPolicy, ...]] = ProcessCache("sla-policies", _load)


def _changed(sender, **kwargs) -> None:
    active_policies.invalidate()


for model in (SlaPolicy, BusinessCalendar, Holiday):
    post_save.connect(_changed, sender=model, dispatch_uid=f"sla-cache-save-{model.__name__}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"sla-cache-delete-{model.__name__}")
for model in ("customers.Organization", "tickets.Tag"):
    # Deleting one drops it from policy conditions without a signal of the policy's own.
    post_delete.connect(_changed, sender=model, dispatch_uid=f"sla-cache-delete-{model}")
for relation in (SlaPolicy.organizations.through, SlaPolicy.tags.through):
    m2m_changed.connect(_changed, sender=relation, dispatch_uid=f"sla-cache-m2m-{relation}")
