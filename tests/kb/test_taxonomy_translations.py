"""Category and section names in German and Spanish: the help center shows them in the reader's
language, else the default's (a translation without a description keeps the default one);
written through ``kb.taxonomy.translations_set`` (the API, Django admin)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb import taxonomy
from kb.models import CategoryTranslation, SectionTranslation
from support.errors import NotPermitted, ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    category = factories.KbCategoryFactory(
        name="Billing and plans", slug="billing", description="Plans, invoices and refunds."
    )
    section = factories.KbSectionFactory(category=category, name="Invoices", slug="invoices")
    article = factories.KbArticleFactory(
        section=section, title="Download an invoice", slug="download-invoice"
    )
    CategoryTranslation.objects.create(
        category=category,
        language="de",
        name="Abrechnung und Tarife",
        description="Tarife, Rechnungen und Erstattungen.",
    )
    CategoryTranslation.objects.create(category=category, language="es", name="Facturación")
    SectionTranslation.objects.create(section=section, language="de", name="Rechnungen")
    return category, section, article


def _get(client, url, language):
    return client.get(url, headers={"accept-language": language}).content.decode()


def test_the_home_page_names_categories_and_sections_in_the_readers_language(client, tree):
    german = _get(client, reverse("kb:home"), "de")
    assert "Abrechnung und Tarife" in german and "Tarife, Rechnungen und Erstattungen." in german
    assert ">Rechnungen</a>" in german
    assert "Billing and plans" not in german and ">Invoices</a>" not in german
    english = _get(client, reverse("kb:home"), "en")
    assert "Billing and plans" in english and ">Invoices</a>" in english
    assert "Abrechnung" not in english


def test_a_missing_translation_falls_back_to_the_default_name_and_description(client, tree):
    spanish = _get(client, reverse("kb:category", args=["billing"]), "es")
    assert '<h1 class="kb-title">Facturación</h1>' in spanish
    assert "Plans, invoices and refunds." in spanish  # no Spanish description: the default's
    assert ">Invoices</h2>" in spanish  # no Spanish section name
    assert "<title>Facturación" in spanish


def test_breadcrumbs_and_search_results_use_the_readers_language(client, tree):
    *_, article = tree
    page = _get(client, reverse("kb:article", args=["en", article.slug]), "de")
    assert ">Abrechnung und Tarife</a>" in page and ">Rechnungen</a>" in page
    found = _get(client, reverse("kb:search") + "?q=invoice", "de")
    assert "Abrechnung und Tarife › Rechnungen" in found


def test_the_home_page_reads_translations_in_a_constant_number_of_queries(
    client, tree, django_assert_max_num_queries
):
    client.get(reverse("kb:home"), headers={"accept-language": "de"})
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("kb:home"), headers={"accept-language": "de"})
    for n in range(5):
        category = factories.KbCategoryFactory()
        CategoryTranslation.objects.create(category=category, language="de", name=f"Kat {n}")
        section = factories.KbSectionFactory(category=category)
        SectionTranslation.objects.create(section=section, language="de", name=f"Abschnitt {n}")
        factories.KbArticleFactory(section=section)
    with django_assert_max_num_queries(len(captured)):
        html = _get(client, reverse("kb:home"), "de")
    assert "Kat 4" in html and "Abschnitt 4" in html


def test_translations_set_replaces_the_whole_list(tree, agent):
    category, section, _ = tree
    taxonomy.translations_set(
        by=agent, of=category, translations=[{"language": "es", "name": " Facturación y planes "}]
    )
    assert list(category.translations.values_list("language", "name")) == [
        ("es", "Facturación y planes")
    ]
    taxonomy.translations_set(by=agent, of=section, translations=[])
    assert not section.translations.exists()


@pytest.mark.parametrize(
    "translations",
    [
        [{"language": "en", "name": "Billing"}],
        [{"language": "fr", "name": "Facturation"}],
        [{"language": "de", "name": ""}],
        [{"language": "de", "name": "A"}, {"language": "de", "name": "B"}],
    ],
)
def test_bad_translations_are_refused_and_change_nothing(tree, agent, translations):
    category, *_ = tree
    with pytest.raises(ValidationFailed):
        taxonomy.translations_set(by=agent, of=category, translations=translations)
    assert category.translations.count() == 2


def test_only_editors_write_translations(tree):
    category, *_ = tree
    with pytest.raises(NotPermitted):
        taxonomy.translations_set(by=factories.CustomerUserFactory(), of=category, translations=[])
    assert category.translations.count() == 2


def test_the_api_reads_and_writes_translations(api, tree, agent):
    category, section, _ = tree
    client = api(agent)
    got = client.get(f"/api/v1/article-categories/{category.pk}").json()
    assert {t["language"]: t["name"] for t in got["translations"]} == {
        "de": "Abrechnung und Tarife",
        "es": "Facturación",
    }
    changed = client.patch(
        f"/api/v1/article-sections/{section.pk}",
        {"translations": [{"language": "es", "name": "Facturas", "description": "PDF"}]},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["translations"] == [
        {"language": "es", "name": "Facturas", "description": "PDF"}
    ]
    assert not section.translations.filter(language="de").exists()
    untouched = client.patch(
        f"/api/v1/article-sections/{section.pk}", {"position": 2}, format="json"
    )
    assert untouched.status_code == 200 and len(untouched.json()["translations"]) == 1
    bad = client.patch(
        f"/api/v1/article-categories/{category.pk}",
        {"translations": [{"language": "en", "name": "Billing"}]},
        format="json",
    )
    assert bad.status_code == 400
    reader = api(factories.CustomerUserFactory())
    assert reader.get(f"/api/v1/article-categories/{category.pk}").json()["translations"]
