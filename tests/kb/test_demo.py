import random

import pytest

from kb import demo, selectors
from kb.models import Article, Category, CategoryTranslation, KbSettings, SectionTranslation
from tests import factories

pytestmark = pytest.mark.django_db


def test_seed_builds_a_small_real_help_center_and_is_idempotent(client):
    factories.AdminFactory(email="admin@example.com")
    demo.seed(rng=random.Random(1))
    demo.seed(rng=random.Random(1))
    assert Category.objects.count() == 4
    public = Article.objects.public().filter(language="en")
    assert 18 <= public.count() <= 24
    assert Article.objects.public().filter(language="de").count() == 4
    assert Article.objects.public().filter(language="es").count() == 3
    assert Article.objects.filter(internal=True, status="published").count() == 1
    assert Article.objects.filter(status="draft").count() == 1
    # Every category and section is named in German and Spanish too.
    for model in (CategoryTranslation, SectionTranslation):
        assert set(model.objects.values_list("language", flat=True)) == {"de", "es"}
    assert CategoryTranslation.objects.count() == 8 and SectionTranslation.objects.count() == 16
    # Every article renders, and links between articles point at ones that exist.
    for article in public:
        assert article.body_html and "<script" not in article.body_html
        assert client.get(f"/help/articles/en/{article.slug}/").status_code == 200
    assert client.get("/help/articles/en/how-seats-are-billed/").status_code == 200
    found = selectors.suggestions(query="Can't find the export button")
    assert found[0].title == "Export your data to CSV"
    assert client.get("/help/").status_code == 200
    german = client.get("/help/articles/de/reset-your-password/", headers={"accept-language": "de"})
    assert "Passwort zurücksetzen" in german.content.decode()
    assert KbSettings.objects.get().confirmation_articles


@pytest.mark.parametrize("query", ["factura", "facturas"])
def test_a_spanish_reader_searching_for_invoices_finds_the_spanish_billing_article(client, query):
    """The demo's Spanish help center answers "factura": its billing article is translated (the
    English "invoice" articles can't match a Spanish word, on SQLite or in PostgreSQL's
    configurations), and the search lists it in the reader's language."""
    factories.AdminFactory(email="admin@example.com")
    demo.seed(rng=random.Random(1))
    html = client.get(
        "/help/search/", {"q": query}, headers={"accept-language": "es"}
    ).content.decode()
    assert "Añadir el número de IVA a tus" in html
    assert "/help/articles/es/add-a-vat-number-to-your-invoices/" in html
