"""Per-product reports (issue 17): tickets by product and by version, CSAT by product, on the
dashboard and in the CSV."""

import csv
import io

import pytest
from django.urls import reverse

from feedback.models import CsatSurvey
from support import clock
from tests import factories
from tests.reports.conftest import NOW, at
from tickets.models import Status, ticket_keys_of

pytestmark = pytest.mark.django_db


def test_tickets_and_csat_per_product_and_version(client):
    cloud = factories.ProductFactory(name="Cloud")
    v41 = factories.VersionFactory(product=cloud, name="4.1")
    v42 = factories.VersionFactory(product=cloud, name="4.2")
    made = [
        factories.TicketFactory(created_at=at(2), product=cloud, version=v41),
        factories.TicketFactory(
            created_at=at(3),
            product=cloud,
            version=v42,
            status=Status.SOLVED,
            solved_at=at(4),
        ),
        factories.TicketFactory(created_at=at(3), product=cloud, version=v42),
        factories.TicketFactory(created_at=at(5)),
    ]
    for ticket, rating in ((made[1], "good"), (made[2], "bad"), (made[3], "good")):
        CsatSurvey.objects.create(
            ticket=ticket,
            customer=ticket.requester,
            token=f"tok{ticket.pk}",
            due_at=at(6),
            sent_at=at(6),
            rating=rating,
            answered_at=at(6, 1),
            **ticket_keys_of(ticket),
        )
    client.force_login(factories.ProductManagerFactory())
    params = {"start": "2026-03-01", "end": "2026-03-10"}
    with clock.travel(NOW):
        page = client.get(reverse("reports:dashboard"), params)
        exported = client.get(reverse("reports:export", args=["products"]), params)
        by_version = client.get(reverse("reports:export", args=["versions"]), params)
    tables = page.context["report"]["tables"]
    assert tables["products"].rows == [["Cloud", 3, 1, 2, "50%"], ["No product", 1, 0, 1, "100%"]]
    assert tables["versions"].rows == [["Cloud", "4.2", 2], ["Cloud", "4.1", 1]]
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0][:3] == ["product_id", "product", "created"]
    assert rows[1][:3] == [str(cloud.pk), "Cloud", "3"]
    assert list(csv.reader(io.StringIO(by_version.content.decode())))[1][2:] == [
        "4.2",
        "supported",
        "2",
    ]
