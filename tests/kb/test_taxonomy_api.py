"""Categories and sections over the API: customers see only those holding an article they may
read; agents read all and write through ``kb.taxonomy``."""

from __future__ import annotations

import pytest

from kb.models import Category, Section
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    public = factories.KbArticleFactory()
    secret_section = factories.KbSectionFactory(name="Refund playbooks")
    factories.KbArticleFactory(section=secret_section, internal=True)
    empty = factories.KbCategoryFactory(name="Empty")
    return {"public": public, "secret_section": secret_section, "empty": empty}


def test_a_customer_sees_only_categories_and_sections_with_readable_articles(api, tree):
    client = api(factories.CustomerUserFactory())
    categories = client.get("/api/v1/article-categories").json()["results"]
    sections = client.get("/api/v1/article-sections").json()["results"]
    assert [c["id"] for c in categories] == [tree["public"].section.category_id]
    assert [s["id"] for s in sections] == [tree["public"].section_id]
    assert client.get(f"/api/v1/article-sections/{tree['secret_section'].pk}").status_code == 404
    assert client.get(f"/api/v1/article-categories/{tree['empty'].pk}").status_code == 404


def test_customers_cannot_write(api, tree):
    client = api(factories.CustomerUserFactory())
    assert (
        client.post("/api/v1/article-categories", {"name": "X"}, format="json").status_code == 404
    )
    assert Category.objects.filter(name="X").count() == 0


def test_agents_create_and_change_categories_and_sections(api, tree, agent):
    client = api(agent)
    assert len(client.get("/api/v1/article-sections").json()["results"]) == 2
    made = client.post(
        "/api/v1/article-categories", {"name": "Security", "position": 3}, format="json"
    )
    assert made.status_code == 201, made.json()
    assert made.json()["slug"] == "security"
    category_id = made.json()["id"]
    section = client.post(
        "/api/v1/article-sections",
        {"category_id": category_id, "name": "Two-factor sign-in"},
        format="json",
    )
    assert section.status_code == 201, section.json()
    assert Section.objects.get(pk=section.json()["id"]).slug == "two-factor-sign-in"
    changed = client.patch(
        f"/api/v1/article-categories/{category_id}", {"description": "Keep accounts safe"},
        format="json",
    )  # fmt: skip
    assert changed.status_code == 200 and changed.json()["name"] == "Security"
    assert Category.objects.get(pk=category_id).description == "Keep accounts safe"


def test_a_slug_collision_is_a_clear_error(api, tree, agent):
    client = api(agent)
    slug = tree["public"].section.category.slug
    response = client.post(
        "/api/v1/article-categories", {"name": "Again", "slug": slug}, format="json"
    )
    assert response.status_code == 409
    assert "already uses the address" in str(response.json())
    bad = client.post(
        "/api/v1/article-sections", {"category_id": 999999, "name": "x"}, format="json"
    )
    assert bad.status_code == 404


def test_a_name_without_letters_gets_a_slug_and_a_slug_without_any_is_400(api, tree, agent):
    """A slug is made from the name; a name slugify keeps nothing of (中文, "???") gets
    ``category-<hex>`` and keeps it on later changes. A slug given with no letter or digit is
    refused, as the schema's pattern says."""
    client = api(agent)
    made = client.post("/api/v1/article-categories", {"name": "帮助中心"}, format="json")
    assert made.status_code == 201, made.json()
    slug = made.json()["slug"]
    assert slug.startswith("category-")
    renamed = client.patch(
        f"/api/v1/article-categories/{made.json()['id']}", {"name": "常见问题"}, format="json"
    )
    assert renamed.json()["slug"] == slug
    section = client.post(
        "/api/v1/article-sections", {"category_id": made.json()["id"], "name": "???"}, format="json"
    )
    assert section.status_code == 201, section.json()
    assert section.json()["slug"].startswith("section-")
    refused = client.post("/api/v1/article-categories", {"name": "X", "slug": "-_-"}, format="json")
    assert refused.status_code == 400
    assert "slug" in refused.json()["error"]["fields"]
