from __future__ import annotations

import pytest

from kb import services
from kb.models import ArticleRevision, ArticleStatus, ArticleView, ArticleVote
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tests import factories


@pytest.fixture
def section(db):
    return factories.KbSectionFactory()


def test_article_save_creates_a_draft_with_a_first_revision_and_safe_html(agent, section):
    article = services.article_save(
        by=agent, section=section, title="Reset your password", body="Hi <script>x()</script>"
    )
    assert article.status == ArticleStatus.DRAFT
    assert article.slug == "reset-your-password"
    assert "<script" not in article.body_html
    revision = article.revisions.get()
    assert (revision.number, revision.by, revision.body) == (1, agent, "Hi <script>x()</script>")


def test_saving_changes_adds_a_revision_and_an_unchanged_save_adds_none(agent, section):
    article = services.article_save(by=agent, section=section, title="T", body="one")
    services.article_save(by=agent, article=article, section=section, title="T", body="two")
    services.article_save(
        by=agent, article=article, section=section, title="T", body="two", tags="a, A ,b"
    )
    assert list(article.revisions.values_list("number", "body")) == [(2, "two"), (1, "one")]
    article.refresh_from_db()
    assert article.tags == "a, b"


def test_slug_collision_in_the_same_language_is_a_slug_error(agent, section):
    services.article_save(by=agent, section=section, title="Export", body="x")
    with pytest.raises(ValidationFailed) as exc:
        services.article_save(by=agent, section=section, title="Other", slug="export", body="y")
    assert exc.value.field == "slug"
    assert "already uses" in exc.value.message
    # The same slug in another language is a translation, not a collision.
    de = services.article_save(by=agent, section=section, title="Export", body="x", language="de")
    assert de.slug == "export"


def test_customers_cannot_edit(section):
    customer_user = factories.CustomerUserFactory()
    with pytest.raises(NotPermitted):
        services.article_save(by=customer_user, section=section, title="T", body="b")


def test_publish_archive_and_restore(agent, section):
    article = services.article_save(by=agent, section=section, title="T", body="first")
    services.article_publish(article=article, by=agent)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.published_at
    with pytest.raises(InvalidChange):
        services.article_publish(article=article, by=agent)
    services.article_save(by=agent, article=article, section=section, title="T2", body="second")
    first = article.revisions.get(number=1)
    restored = services.article_restore(article=article, revision=first, by=agent)
    assert (restored.title, restored.body) == ("T", "first")
    assert "first" in restored.body_html
    latest = article.revisions.first()
    assert latest.number == 3 and "Restored revision 1" in latest.note
    with pytest.raises(InvalidChange):
        services.article_restore(article=article, revision=first, by=agent)
    services.article_archive(article=article, by=agent)
    article.refresh_from_db()
    assert article.status == ArticleStatus.ARCHIVED


def test_restore_refuses_another_articles_revision(agent, section):
    a = services.article_save(by=agent, section=section, title="A", body="a")
    b = services.article_save(by=agent, section=section, title="B", body="b")
    with pytest.raises(ValidationFailed):
        services.article_restore(article=a, revision=b.revisions.get(), by=agent)
    assert ArticleRevision.objects.count() == 2


def test_one_vote_per_visitor_and_article(db):
    article = factories.KbArticleFactory()
    services.article_vote(article=article, visitor="v1", helpful=True)
    services.article_vote(article=article, visitor="v1", helpful=False)
    services.article_vote(article=article, visitor="v2", helpful=True)
    assert ArticleVote.objects.filter(article=article).count() == 2
    assert ArticleVote.objects.get(visitor="v1").helpful is False


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"


def test_views_are_counted_per_day_once_per_reader(db):
    article = factories.KbArticleFactory()
    for reader in ("v1", "v2", "v3", "v1", "v1"):
        services.article_view_record(article=article, reader=reader, user_agent=BROWSER)
    assert ArticleView.objects.get(article=article).count == 3


@pytest.mark.parametrize(
    "agent", ["", "Googlebot/2.1", "Slackbot-LinkExpanding 1.0", "curl/8.0", "HeadlessChrome/120"]
)
def test_crawlers_and_previews_are_not_views(db, agent):
    article = factories.KbArticleFactory()
    assert not services.article_view_record(article=article, reader="v1", user_agent=agent)
    assert not ArticleView.objects.exists()


def test_deflection_counts_only_shown_articles_opened_and_a_submission_ends_it(db):
    shown, other = factories.KbArticleFactory(), factories.KbArticleFactory()
    session = services.deflection_start(customer=None)
    services.deflection_shown(session=session, query="export", articles=[shown])
    services.deflection_opened(session=session, article=other)
    session.refresh_from_db()
    assert session.opened_at is None  # not suggested: not a deflection
    services.deflection_opened(session=session, article=shown)
    session.refresh_from_db()
    assert session.deflected
    services.deflection_submitted(session=session, ticket=None)
    session.refresh_from_db()
    assert not session.deflected and list(session.shown.all()) == [shown]


def test_a_reply_linking_an_article_records_it_as_sent(agent, ticket):
    article = factories.KbArticleFactory(slug="reset-your-password")
    message = factories.MessageFactory(
        ticket=ticket,
        author_user=agent,
        body_text="See https://help.example.com/help/articles/en/reset-your-password/ for steps.",
    )
    services.article_sends_record(message=message)
    services.article_sends_record(message=message)  # a handler may run twice
    assert [s.article for s in article.sends.all()] == [article]
    note = factories.NoteFactory(
        ticket=ticket, author_user=agent, body_text="/help/articles/en/reset-your-password/"
    )
    assert services.article_sends_record(message=note) == []


def test_an_agents_reply_through_the_ticket_service_records_the_article_after_commit(
    agent, ticket, django_capture_on_commit_callbacks
):
    from tickets.services import ticket_reply

    article = factories.KbArticleFactory(slug="export-your-data")
    with django_capture_on_commit_callbacks(execute=True):
        message = ticket_reply(
            ticket=ticket,
            by=agent,
            body="Here you go: http://testserver/help/articles/en/export-your-data/",
        )
    send = article.sends.get()
    assert (send.ticket, send.message, send.by) == (ticket, message, agent)
