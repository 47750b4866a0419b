from __future__ import annotations

import pytest
from django.urls import reverse

from kb.models import Article, ArticleVote, DeflectionSession, KbSettings
from kb.views import VISITOR_COOKIE
from tests import factories
from tests.factories import PASSWORD
from tickets.models import Ticket


@pytest.fixture
def kb(db):
    category = factories.KbCategoryFactory(name="Billing", slug="billing")
    section = factories.KbSectionFactory(category=category, name="Invoices", slug="invoices")
    return {
        "public": factories.KbArticleFactory(
            section=section,
            title="Add a VAT number to invoices",
            slug="vat-number",
            summary="Enter your VAT ID once.",
            body="Open **Billing details** and enter the VAT ID.",
            tags="invoice, vat",
        ),
        "related": factories.KbArticleFactory(
            section=section, title="Update your card", slug="card", body="card steps"
        ),
        "internal": factories.KbArticleFactory(
            section=section,
            title="Refund policy for invoices",
            slug="refund-policy",
            internal=True,
            body="internal invoice refund rules",
        ),
        "draft": factories.KbArticleFactory(
            section=section, title="Invoice draft", slug="draft", status="draft", body="invoice"
        ),
    }


def article_url(article: Article) -> str:
    return reverse("kb:article", args=[article.language, article.slug])


def sign_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def test_help_center_pages_are_public_with_breadcrumbs_title_and_description(client, kb):
    home = client.get(reverse("kb:home"))
    assert home.status_code == 200 and b"Billing" in home.content
    category = client.get(reverse("kb:category", args=["billing"]))
    assert b"Add a VAT number" in category.content and b"Refund policy" not in category.content
    page = client.get(article_url(kb["public"]))
    html = page.content.decode()
    assert "<title>Add a VAT number to invoices ·" in html
    assert '<meta name="description" content="Enter your VAT ID once.">' in html
    assert 'aria-label="Breadcrumb"' in html and ">Billing</a>" in html and ">Invoices</a>" in html
    assert "<strong>Billing details</strong>" in html
    assert "Update your card" in html  # related, same section
    assert "Refund policy" not in html


@pytest.mark.parametrize("who", ["visitor", "customer"])
def test_internal_and_draft_articles_are_not_found_for_customers_and_visitors(client, kb, who):
    if who == "customer":
        sign_in(client, factories.CustomerUserFactory())
    for name in ("internal", "draft"):
        assert client.get(article_url(kb[name])).status_code == 404
    search = client.get(reverse("kb:search"), {"q": "invoice"}).content.decode()
    assert "VAT number" in search and "Refund policy" not in search and "draft" not in search
    suggest = client.get(reverse("kb:suggest"), {"subject": "refund invoice"}).content.decode()
    assert "Refund policy" not in suggest
    home = client.get(reverse("kb:home")).content.decode()
    assert "(2)" in home  # two public articles in the section, not four


def test_agents_read_internal_articles_in_the_help_center_but_not_in_suggestions(client, kb, agent):
    sign_in(client, agent)
    page = client.get(article_url(kb["internal"]))
    assert page.status_code == 200 and b"Internal" in page.content
    assert client.get(article_url(kb["draft"])).status_code == 404
    suggest = client.get(reverse("kb:suggest"), {"subject": "refund invoice"}).content.decode()
    assert "Refund policy" not in suggest


def test_sign_in_required_setting(client, kb):
    KbSettings.objects.create(pk=1, sign_in_required=True)
    response = client.get(reverse("kb:home"))
    assert response.status_code == 302 and reverse("portal:sign-in") in response["Location"]
    assert client.get(article_url(kb["public"])).status_code == 302
    assert b"vat-number" not in client.get(reverse("kb:sitemap")).content
    sign_in(client, factories.CustomerUserFactory())
    assert client.get(article_url(kb["public"])).status_code == 200


def test_search_highlights_terms_and_escapes_the_query(client, kb):
    response = client.get(reverse("kb:search"), {"q": "vat <i>"})
    html = response.content.decode()
    assert "<mark>VAT</mark>" in html
    assert "<i>" not in html and "&lt;i&gt;" in html


def test_htmx_search_returns_the_results_fragment(client, kb):
    response = client.get(reverse("kb:search"), {"q": "vat"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"VAT" in response.content


def test_vote_once_per_visitor_with_a_signed_cookie(client, kb):
    url = reverse("kb:vote", args=["en", "vat-number"])
    first = client.post(url, {"helpful": "yes"}, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and b"Thanks" in first.content
    assert VISITOR_COOKIE in first.cookies
    client.post(url, {"helpful": "no"}, HTTP_HX_REQUEST="true")
    vote = ArticleVote.objects.get()
    assert vote.helpful is False
    # A forged cookie is not a visitor id: a new one is issued, so it is a second vote.
    client.cookies[VISITOR_COOKIE] = "forged"
    client.post(url, {"helpful": "yes"}, HTTP_HX_REQUEST="true")
    assert ArticleVote.objects.count() == 2
    assert client.post(url, {"helpful": "maybe"}).status_code == 400
    assert client.post(article_url(kb["internal"]) + "vote/", {"helpful": "yes"}).status_code == 404


def test_sitemap_lists_public_articles_only(client, kb):
    response = client.get(reverse("kb:sitemap"))
    assert response["Content-Type"].startswith("application/xml")
    body = response.content.decode()
    assert "/help/articles/en/vat-number/" in body and "/help/articles/en/card/" in body
    assert "refund-policy" not in body and "/draft/" not in body


def test_help_pages_use_a_constant_number_of_queries(client, kb, django_assert_max_num_queries):
    section = kb["public"].section
    for n in range(15):
        factories.KbArticleFactory(section=section, title=f"Invoice {n}", tags="invoice")
    with django_assert_max_num_queries(6):
        client.get(reverse("kb:home"))
    with django_assert_max_num_queries(6):
        client.get(reverse("kb:category", args=["billing"]))
    with django_assert_max_num_queries(12):
        client.get(article_url(kb["public"]))
    # PostgreSQL: one ranking per language, then the page's articles by id (and the search
    # counted: an UPDATE, or an INSERT in a savepoint on the day's first).
    with django_assert_max_num_queries(9):
        client.get(reverse("kb:search"), {"q": "invoice"})


# --- deflection -------------------------------------------------------------------------------


def test_suggestions_start_a_session_and_a_submission_records_what_was_shown(client, kb):
    customer_user = factories.CustomerUserFactory()
    sign_in(client, customer_user)
    response = client.get(reverse("kb:suggest"), {"subject": "vat number", "kb_session": ""})
    html = response.content.decode()
    session = DeflectionSession.objects.get()
    assert f'value="{session.token}"' in html and 'hx-swap-oob="true"' in html
    assert f"?ds={session.token}" in html
    assert session.customer == customer_user.customer
    assert list(session.shown.all()) == [kb["public"]]
    response = client.post(
        reverse("portal:new"),
        {"subject": "VAT number", "body": "Where?", "kb_session": str(session.token)},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.submitted_at and session.ticket == Ticket.objects.get()
    assert not session.deflected


def test_opening_a_suggested_article_and_leaving_is_a_deflection(client, kb):
    client.get(reverse("kb:suggest"), {"subject": "vat"})
    session = DeflectionSession.objects.get()
    client.get(article_url(kb["public"]), {"ds": str(session.token)})
    session.refresh_from_db()
    assert session.deflected


def test_no_match_no_session(client, kb):
    response = client.get(reverse("kb:suggest"), {"subject": "zzzz qqqq"})
    assert b"No matching articles" in response.content
    assert not DeflectionSession.objects.exists()


def test_the_new_request_form_has_the_suggestions_box(client, db):
    html = client.get(reverse("portal:new")).content.decode()
    assert reverse("kb:suggest") in html and 'id="kb-session"' in html


# --- editor (agents) --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_editor_pages_are_for_agents_only(client, kb, who):
    if who == "customer":
        sign_in(client, factories.CustomerUserFactory())
    pk = kb["public"].pk
    urls = [
        reverse("kb_agent:list"),
        reverse("kb_agent:new"),
        reverse("kb_agent:edit", args=[pk]),
        reverse("kb_agent:history", args=[pk]),
        reverse("kb_agent:lookup"),
    ]
    for url in urls:
        status = client.get(url).status_code
        assert status == (302 if who == "anonymous" else 404), url
    status = client.post(reverse("kb_agent:status", args=[pk]), {"action": "archive"}).status_code
    assert status in (302, 404)
    kb["public"].refresh_from_db()
    assert kb["public"].status == "published"


def test_agent_creates_edits_publishes_and_restores(client, kb, agent):
    sign_in(client, agent)
    section = kb["public"].section
    response = client.post(
        reverse("kb_agent:new"),
        {
            "title": "Close your workspace",
            "section": section.pk,
            "language": "en",
            "body": "Step one",
            "summary": "How to close",
        },
    )
    article = Article.objects.get(slug="close-your-workspace")
    assert response.status_code == 302 and article.status == "draft"
    assert client.get(article_url(article)).status_code == 404  # a draft is not public
    client.post(
        reverse("kb_agent:edit", args=[article.pk]),
        {
            "title": "Close your workspace",
            "slug": article.slug,
            "section": section.pk,
            "language": "en",
            "body": "Step one\nStep two",
        },
    )
    client.post(reverse("kb_agent:status", args=[article.pk]), {"action": "publish"})
    article.refresh_from_db()
    assert article.status == "published"
    history = client.get(reverse("kb_agent:history", args=[article.pk]), {"a": 1, "b": 2})
    assert b'class="kb-diff-add">+Step two' in history.content
    client.post(reverse("kb_agent:restore", args=[article.pk, 1]))
    article.refresh_from_db()
    assert article.body == "Step one" and article.revisions.count() == 3


def test_slug_collision_is_a_form_error(client, kb, agent):
    sign_in(client, agent)
    response = client.post(
        reverse("kb_agent:new"),
        {
            "title": "Another",
            "slug": "vat-number",
            "section": kb["public"].section.pk,
            "language": "en",
            "body": "x",
        },
    )
    assert response.status_code == 400
    assert "already uses the address" in response.content.decode()
    assert Article.objects.filter(slug="vat-number").count() == 1


def test_preview_is_sanitized(client, agent):
    sign_in(client, agent)
    response = client.post(reverse("kb_agent:preview"), {"body": "**hi** <script>x()</script>"})
    assert b"<strong>hi</strong>" in response.content and b"<script" not in response.content


def test_lookup_marks_internal_articles_and_finds_no_drafts(client, kb, agent):
    sign_in(client, agent)
    html = client.get(reverse("kb_agent:lookup"), {"kb_q": "invoice"}).content.decode()
    assert "Refund policy" in html and "internal" in html and "Invoice draft" not in html
    assert "http://testserver/help/articles/en/vat-number/" in html


def test_articles_sent_on_a_ticket_are_listed_for_agents_who_see_it(
    client, kb, agent, other_agent, ticket
):
    from kb.models import ArticleSend
    from support import clock

    message = factories.MessageFactory(ticket=ticket, author_user=agent, body_text="x")
    ArticleSend.objects.create(
        article=kb["public"], ticket=ticket, message=message, by=agent, at=clock.now()
    )
    url = reverse("kb_agent:sent", args=[ticket.pk])
    sign_in(client, other_agent)
    assert client.get(url).status_code == 404  # another team's ticket
    sign_in(client, agent)
    assert "Add a VAT number to invoices" in client.get(url).content.decode()


def test_editor_list_and_lookup_use_a_constant_number_of_queries(
    client, kb, agent, django_assert_max_num_queries
):
    sign_in(client, agent)
    for n in range(20):
        factories.KbArticleFactory(section=kb["public"].section, title=f"Invoice {n}")
    with django_assert_max_num_queries(16):
        assert client.get(reverse("kb_agent:list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("kb_agent:lookup"), {"kb_q": "invoice"}).status_code == 200
