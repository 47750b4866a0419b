"""Deleting calendars and policies on the admin pages, through the same services as the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tickets.sla.models import BusinessCalendar, SlaPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(db):
    return factories.SlaPolicyFactory(
        name="Default", calendar=factories.BusinessCalendarFactory(name="Berlin office")
    )


def test_admin_deletes_a_policy(client, admin_user, policy):
    client.force_login(admin_user)
    page = client.get(reverse("sla:policy_edit", args=[policy.pk]))
    assert reverse("sla:policy_delete", args=[policy.pk]) in page.content.decode()
    response = client.post(reverse("sla:policy_delete", args=[policy.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("sla:overview")
    assert "Deleted policy" in response.content.decode()
    assert not SlaPolicy.objects.exists()


def test_a_calendar_in_use_is_not_deleted(client, admin_user, policy):
    client.force_login(admin_user)
    url = reverse("sla:calendar_delete", args=[policy.calendar_id])
    response = client.post(url, follow=True)
    assert "used by Default" in response.content.decode()
    assert BusinessCalendar.objects.count() == 1
    spare = factories.BusinessCalendarFactory(name="Spare")
    htmx = client.post(reverse("sla:calendar_delete", args=[spare.pk]), HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == reverse("sla:overview")
    assert not BusinessCalendar.objects.filter(pk=spare.pk).exists()


def test_only_admins_delete(client, agent, admin_user, policy):
    client.force_login(agent)
    assert client.post(reverse("sla:policy_delete", args=[policy.pk])).status_code == 403
    assert SlaPolicy.objects.exists()
    client.force_login(admin_user)
    assert client.get(reverse("sla:policy_delete", args=[policy.pk])).status_code == 405
    assert SlaPolicy.objects.exists()
