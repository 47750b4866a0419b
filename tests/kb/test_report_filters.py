"""The knowledge report's filters: a date range, a language and a category, on the page and in
every CSV (which follows them); bad values are a form error with what was typed kept."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kb import services
from kb.models import ArticleView, SearchTerm
from kb.report import ReportFilter, knowledge_report
from support import clock
from tests import factories
from tickets.models import Status, Tag

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"


@pytest.fixture
def kb_data():
    billing = factories.KbCategoryFactory(name="Billing")
    account = factories.KbCategoryFactory(name="Account")
    invoice_en = factories.KbArticleFactory(
        title="Invoices", section=factories.KbSectionFactory(category=billing)
    )
    invoice_de = factories.KbArticleFactory(
        title="Rechnungen", slug=invoice_en.slug, language="de", section=invoice_en.section
    )
    password = factories.KbArticleFactory(
        title="Passwords", section=factories.KbSectionFactory(category=account)
    )
    today = timezone.localdate(clock.now())
    long_ago = today - timedelta(days=60)
    ArticleView.objects.create(article=invoice_en, day=today, count=5)
    ArticleView.objects.create(article=invoice_de, day=today, count=3)
    ArticleView.objects.create(article=password, day=today, count=2)
    ArticleView.objects.create(article=password, day=long_ago, count=40)
    for article, helpful in ((invoice_en, True), (invoice_de, False), (password, True)):
        services.article_vote(article=article, visitor=f"v{article.pk}", helpful=helpful)
    session = services.deflection_start(customer=None)
    services.deflection_shown(session=session, query="rechnung", articles=[invoice_de])
    services.deflection_opened(session=session, article=invoice_de)
    SearchTerm.objects.create(query="mahnung", language="de", day=today, searches=4, empty=4)
    SearchTerm.objects.create(query="dunning", language="en", day=today, searches=2, empty=2)
    SearchTerm.objects.create(query="old search", language="en", day=long_ago, searches=9, empty=9)
    return {
        "billing": billing,
        "account": account,
        "today": today,
        "long_ago": long_ago,
        "invoice_de": invoice_de,
    }


def test_a_date_range_reaches_back_past_the_presets(kb_data):
    today, long_ago = kb_data["today"], kb_data["long_ago"]
    wide = knowledge_report(only=ReportFilter(start=long_ago, end=today))
    assert wide.views == 50 and wide.searches == 15
    old = knowledge_report(only=ReportFilter(start=long_ago, end=long_ago))
    assert old.views == 40 and [g.topic for g in old.gaps] == ["old search"]
    assert knowledge_report(days=30).views == 10


def test_a_language_narrows_articles_searches_forms_and_ticket_gaps(kb_data):
    german_customer = factories.CustomerFactory(locale="de-AT")
    english_customer = factories.CustomerFactory(locale="en")
    for customer, tag in ((german_customer, "mahnwesen"), (english_customer, "dunning-letters")):
        ticket = factories.TicketFactory(
            requester=customer, status=Status.SOLVED, solved_at=clock.now()
        )
        ticket.tags.add(Tag.objects.create(name=tag))
    only = ReportFilter.last_days(30, language="de")
    report = knowledge_report(only=only)
    assert report.views == 3 and report.votes == 1 and report.helpful == 0
    assert [row["title"] for row in report.top_viewed] == ["Rechnungen"]
    assert (report.sessions, report.deflected) == (1, 1)
    assert (report.searches, report.empty_searches) == (4, 4)
    topics = {g.topic for g in report.gaps}
    assert "mahnung" in topics and "mahnwesen" in topics
    assert "dunning" not in topics and "dunning-letters" not in topics
    english = knowledge_report(only=ReportFilter.last_days(30, language="en"))
    assert english.sessions == 0 and english.views == 7


def test_a_category_narrows_articles_and_leaves_out_searches(kb_data):
    report = knowledge_report(only=ReportFilter.last_days(30, category_id=kb_data["billing"].pk))
    assert report.views == 8 and report.votes == 2 and report.sessions == 1
    assert report.searches == 0 and report.gaps == []
    assert report.category == "Billing"
    account = knowledge_report(only=ReportFilter.last_days(30, category_id=kb_data["account"].pk))
    assert account.views == 2 and account.sessions == 0


def test_the_page_and_every_csv_follow_the_filters(client, agent, kb_data):
    client.force_login(agent)
    query = {
        "start": kb_data["today"].isoformat(),
        "end": kb_data["today"].isoformat(),
        "language": "de",
        "category": str(kb_data["billing"].pk),
    }
    page = client.get(reverse("kb_agent:report"), query)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<option value="de" selected>' in html
    assert f'<option value="{kb_data["billing"].pk}" selected>Billing</option>' in html
    assert "Searches and tickets have no category" in html
    csv_link = reverse("kb_agent:report_csv", args=["summary"]) + "?start="
    assert csv_link in html and "language=de" in html
    summary = client.get(reverse("kb_agent:report_csv", args=["summary"]), query)
    rows = dict(csv.reader(io.StringIO(summary.content.decode())))
    assert rows["views"] == "3" and rows["language"] == "de" and rows["category"] == "Billing"
    assert rows["start"] == rows["end"] == kb_data["today"].isoformat()
    name = summary["Content-Disposition"]
    assert f"{kb_data['today'].isoformat()}-de-category{kb_data['billing'].pk}.csv" in name
    viewed = client.get(reverse("kb_agent:report_csv", args=["top-viewed"]), query)
    titles = [row[1] for row in csv.reader(io.StringIO(viewed.content.decode()))][1:]
    assert titles == ["Rechnungen"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-13-01"}, "From is a date like"),
        ({"start": "2026-03-10", "end": "2026-03-01"}, "From is after To."),
        ({"start": "2024-01-01", "end": "2026-03-01"}, "A range is at most 366 days."),
        ({"language": "fr"}, "Choose one of the languages offered."),
        ({"category": "999999"}, "There is no such category."),
    ],
)
def test_bad_filters_are_a_form_error_keeping_what_was_typed(client, agent, query, message):
    client.force_login(agent)
    response = client.get(reverse("kb_agent:report"), query)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and 'role="alert"' in html
    for value in query.values():
        if value.startswith("20"):
            assert f'value="{value}"' in html
    csv_response = client.get(reverse("kb_agent:report_csv", args=["gaps"]), query)
    assert csv_response.status_code == 400 and message in csv_response.content.decode()
