"""The people search reads trigram indexes on PostgreSQL (customers/migrations/0002): a part of a
name, an address or a mail domain is found from the index, not by reading every contact."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer, Organization, OrganizationDomain
from tests import factories
from tickets.people import selectors
from tickets.workspace.new_ticket import requester_matches

pytestmark = pytest.mark.django_db


def _plan(search, *, no_seqscan: bool = False) -> str:
    """The plan PostgreSQL picks for the first query ``search`` runs."""
    with CaptureQueriesContext(connection) as captured:
        search()
    with connection.cursor() as cursor:
        if no_seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + captured.captured_queries[0]["sql"])
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_contacts_and_organizations_are_found_through_the_trigram_indexes(admin_user):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm_idx'")
        assert {row[0] for row in cursor.fetchall()} >= {
            "customer_name_trgm_idx",
            "customer_email_trgm_idx",
            "organization_name_trgm_idx",
            "organization_domain_trgm_idx",
        }
    org = factories.OrganizationFactory(name="Carpenter Logistics")
    factories.CustomerFactory(
        name="Mary Carpenter", email="mary@carpenter.example", organization=org
    )
    # Enough contacts that reading them all costs more than the index (50,000: 110 ms -> 2 ms).
    Customer.objects.bulk_create(
        Customer(name=f"Contact {n}", email=f"contact{n}@example.org") for n in range(20_000)
    )
    OrganizationDomain.objects.create(organization=org, domain="carpenter.example")
    with connection.cursor() as cursor:
        # Rows added in bulk wait in the GIN indexes' pending lists (VACUUM would move them
        # in); the planner prices such an index high, so move them in as a load would have.
        for index in ("customer_name_trgm_idx", "customer_email_trgm_idx"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE customers_customer, customers_organizationdomain")

    plan = _plan(lambda: selectors.customer_matches(agent=admin_user, text="rpente"))
    assert "customer_name_trgm_idx" in plan and "customer_email_trgm_idx" in plan, plan
    assert "customer_name_trgm_idx" in _plan(lambda: requester_matches(admin_user, "rpente"))
    # Organizations are few (5,000 are read whole in 2 ms); the domain match is a subquery that
    # the index answers once the table is worth it.
    plan = _plan(
        lambda: selectors.organization_matches(agent=admin_user, text="rpente"), no_seqscan=True
    )
    assert "organization_domain_trgm_idx" in plan, plan


def test_a_part_of_a_name_address_or_domain_finds_people_in_any_case(admin_user):
    org = factories.OrganizationFactory(name="Carpenter Logistics")
    org.domains.create(domain="haulage.example")
    mary = factories.CustomerFactory(name="Mary Carpenter", email="m@x.example", organization=org)
    pat = factories.CustomerFactory(name="Pat", email="pat.CARPENTRY@y.example")
    factories.CustomerFactory(name="Someone Else", email="else@example.org")
    found = selectors.customer_matches(agent=admin_user, text="CARPENT")
    assert {c.pk for c in found} == {mary.pk, pat.pk}
    assert [o.pk for o in selectors.organization_matches(agent=admin_user, text="HAULAGE")] == [
        org.pk
    ]
    [hit] = selectors.organization_matches(agent=admin_user, text="logist")
    assert hit.member_count == 1
    assert Organization.objects.count() == 1
    assert selectors.organization_matches(agent=admin_user, text="nowhere") == []
