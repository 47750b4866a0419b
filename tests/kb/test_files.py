"""Article images and attachments: uploaded by agents, served like ticket attachments, and only
to those who may read the article."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kb import services
from kb.models import ArticleFile
from support.errors import ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _png(name="screen.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _url(stored: ArticleFile) -> str:
    return reverse("kb:file", kwargs={"file_id": stored.id, "name": stored.name})


def test_an_agent_uploads_an_image_and_the_editor_offers_its_markdown(client, agent):
    article = factories.KbArticleFactory()
    client.force_login(agent)
    response = client.post(reverse("kb_agent:file_upload", args=[article.pk]), {"file": _png()})
    assert response.status_code == 302
    stored = ArticleFile.objects.get(article=article)
    html = client.get(reverse("kb_agent:edit", args=[article.pk])).content.decode()
    assert f"![screen.png]({_url(stored)})" in html


def test_a_public_articles_image_is_shown_inline_to_a_visitor(client):
    article = factories.KbArticleFactory()
    stored = services.article_file_add(article=article, upload=_png(), by=factories.AgentFactory())
    response = client.get(_url(stored))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PNG


def test_an_html_file_is_only_ever_a_download(client):
    article = factories.KbArticleFactory()
    upload = SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html")
    stored = services.article_file_add(article=article, upload=upload, by=factories.AgentFactory())
    response = client.get(_url(stored))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("kind", [{"internal": True}, {"status": "draft"}])
def test_an_internal_or_draft_articles_files_reach_agents_only(client, agent, kind):
    article = factories.KbArticleFactory(**kind)
    stored = services.article_file_add(article=article, upload=_png(), by=agent)
    assert client.get(_url(stored)).status_code == 404
    client.force_login(factories.CustomerUserFactory())
    assert client.get(_url(stored)).status_code == 404
    client.force_login(agent)
    response = client.get(_url(stored))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_programs_are_refused_and_customers_cannot_upload(client, agent):
    article = factories.KbArticleFactory()
    with pytest.raises(ValidationFailed, match="programs and scripts"):
        services.article_file_add(
            article=article, upload=SimpleUploadedFile("setup.exe", b"MZ"), by=agent
        )
    client.force_login(factories.CustomerUserFactory())
    response = client.post(reverse("kb_agent:file_upload", args=[article.pk]), {"file": _png()})
    assert response.status_code in (302, 403, 404)
    assert not ArticleFile.objects.exists()


def test_an_image_in_the_body_survives_sanitizing(agent):
    article = factories.KbArticleFactory()
    stored = services.article_file_add(article=article, upload=_png(), by=agent)
    saved = services.article_save(
        by=agent,
        article=article,
        section=article.section,
        title=article.title,
        body=f"See ![the screen]({_url(stored)})",
    )
    assert f'<img src="{_url(stored)}" alt="the screen">' in saved.body_html


def test_removing_a_file(client, agent):
    article = factories.KbArticleFactory()
    stored = services.article_file_add(article=article, upload=_png(), by=agent)
    client.force_login(agent)
    client.post(reverse("kb_agent:file_delete", args=[article.pk, stored.id]))
    assert not ArticleFile.objects.exists()
    assert client.get(_url(stored)).status_code == 404
