from __future__ import annotations

import pytest

from kb.models import Article
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(db):
    section = factories.KbSectionFactory()
    return {
        "section": section,
        "public": factories.KbArticleFactory(section=section, title="Export data", slug="export"),
        "internal": factories.KbArticleFactory(section=section, slug="playbook", internal=True),
        "draft": factories.KbArticleFactory(section=section, slug="wip", status="draft"),
    }


def test_a_customers_token_reads_public_published_articles_only(api, articles):
    client = api(factories.CustomerUserFactory())
    response = client.get("/api/v1/articles")
    assert response.status_code == 200
    assert [a["slug"] for a in response.json()["results"]] == ["export"]
    assert response.json()["results"][0]["url"] == "/help/articles/en/export/"
    for name in ("internal", "draft"):
        assert client.get(f"/api/v1/articles/{articles[name].pk}").status_code == 404
    assert client.get("/api/v1/articles", {"q": "export"}).json()["results"][0]["slug"] == "export"


def test_customers_cannot_write(api, articles):
    client = api(factories.CustomerUserFactory())
    body = {"section_id": articles["section"].pk, "title": "Hi", "body": "x"}
    assert client.post("/api/v1/articles", body, format="json").status_code == 404
    assert client.post(f"/api/v1/articles/{articles['draft'].pk}/publish").status_code == 404
    assert Article.objects.count() == 3


def test_anonymous_is_refused(api, articles):
    assert api().get("/api/v1/articles").status_code in (401, 403)


def test_agents_create_change_and_publish(api, articles, agent):
    client = api(agent)
    response = client.post(
        "/api/v1/articles",
        {
            "section_id": articles["section"].pk,
            "title": "Close your workspace",
            "body": "**Go**",
            "tags": ["account"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "draft" and data["body_html"] == "<p><strong>Go</strong></p>\n"
    changed = client.patch(f"/api/v1/articles/{data['id']}", {"body": "Go now"}, format="json")
    assert changed.status_code == 200 and changed.json()["body"] == "Go now"
    # A body that isn't a JSON object is a 400 (it was a 500: merged into the article's values).
    listed = client.patch(f"/api/v1/articles/{data['id']}", [None, None], format="json")
    assert listed.status_code == 400 and "Expected a dictionary" in str(listed.json())
    assert Article.objects.get(pk=data["id"]).revisions.count() == 2
    published = client.post(f"/api/v1/articles/{data['id']}/publish")
    assert published.json()["status"] == "published"
    assert client.post(f"/api/v1/articles/{data['id']}/publish").status_code == 409
    collision = client.post(
        "/api/v1/articles",
        {"section_id": articles["section"].pk, "title": "x", "slug": "export", "body": "x"},
        format="json",
    )
    assert collision.status_code == 409 and "already uses" in str(collision.json())
    assert client.get("/api/v1/articles", {"status": "draft"}).json()["results"][0]["slug"] == "wip"


def test_a_read_only_agent_token_cannot_write(api, articles, agent):
    client = api(agent, read_only=True)
    assert client.post(f"/api/v1/articles/{articles['draft'].pk}/publish").status_code == 403
