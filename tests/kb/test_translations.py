"""Article translations: the help center shows the reader's language, else the default with a
note; translations share the article's slug."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kb import selectors
from kb.models import Article
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    english = factories.KbArticleFactory(title="Reset your password", slug="reset-password")
    german = factories.KbArticleFactory(
        title="Passwort zurücksetzen", slug="reset-password", language="de", section=english.section
    )
    only_english = factories.KbArticleFactory(
        title="Billing periods", slug="billing-periods", section=english.section
    )
    return english, german, only_english


def test_one_version_per_article_in_the_readers_language(pair):
    english, german, only_english = pair
    readable = selectors.articles_readable_by(None)
    assert set(selectors.in_language(readable, "de")) == {german, only_english}
    assert set(selectors.in_language(readable, "en")) == {english, only_english}
    assert set(selectors.in_language(readable, "es")) == {english, only_english}


def test_the_category_page_links_the_german_version_for_a_german_reader(client, pair):
    english, german, _ = pair
    url = reverse("kb:category", args=[english.section.category.slug])
    html = client.get(url, headers={"accept-language": "de"}).content.decode()
    assert "/help/articles/de/reset-password/" in html
    assert "/help/articles/en/reset-password/" not in html
    assert "/help/articles/en/billing-periods/" in html


def test_an_untranslated_article_says_so_in_the_readers_language(client, pair):
    *_, only_english = pair
    url = reverse("kb:article", args=["en", only_english.slug])
    html = client.get(url, headers={"accept-language": "es"}).content.decode()
    assert "Este artículo todavía no está disponible en" in html
    assert "se muestra en Inglés" in html


def test_a_translated_article_links_its_other_languages_without_a_note(client, pair):
    english, german, _ = pair
    html = client.get(
        reverse("kb:article", args=["de", "reset-password"]), headers={"accept-language": "de"}
    ).content.decode()
    assert "noch nicht auf" not in html
    assert 'href="/help/articles/en/reset-password/"' in html and ">English</a>" in html


def test_an_internal_translation_is_not_linked_to_a_customer(client, pair):
    english, *_ = pair
    factories.KbArticleFactory(
        title="Interno",
        slug="reset-password",
        language="es",
        internal=True,
        section=english.section,
    )
    html = client.get(reverse("kb:article", args=["en", "reset-password"])).content.decode()
    assert "/help/articles/es/reset-password/" not in html
    assert Article.objects.filter(slug="reset-password").count() == 3


def test_suggestions_come_in_the_readers_language(client, pair):
    html = client.get(
        reverse("kb:suggest"),
        {"subject": "password reset zurücksetzen"},
        headers={"accept-language": "de"},
    ).content.decode()
    assert "Passwort zurücksetzen" in html
    assert "Reset your password" not in html


def test_related_articles_come_in_the_readers_language(client, pair):
    english, german, only_english = pair
    html = client.get(
        reverse("kb:article", args=["en", only_english.slug]), headers={"accept-language": "de"}
    ).content.decode()
    assert "Passwort zurücksetzen" in html
    assert "Reset your password" not in html
    assert re.search(r"Aktualisiert am \d{1,2}\. \w+ \d{4}", html)  # "5. Dezember 2026"
