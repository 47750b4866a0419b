"""The German and Spanish catalogs are complete and compiled (pure Python, no gettext binaries)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from support import i18n_catalog
from support.i18n import language_for


def test_every_marked_string_is_translated_and_every_mo_is_compiled():
    """What CI runs: a string marked in code or a template but missing or empty in either .po,
    a placeholder that differs, or a .mo that is not its compiled .po, fails here."""
    assert i18n_catalog.problems() == []


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the catalogs and one template to break, in a throwaway project root."""
    (tmp_path / "portal" / "templates").mkdir(parents=True)
    shutil.copytree(Path(settings.BASE_DIR) / "locale", tmp_path / "locale")
    return tmp_path


def test_a_new_marked_string_without_translation_is_reported(project_copy: Path):
    template = project_copy / "portal" / "templates" / "new.html"
    template.write_text('{% load i18n %}<p>{% translate "A sentence nobody translated" %}</p>')
    found = i18n_catalog.problems(project_copy)
    assert "de: not in the .po: 'A sentence nobody translated'" in found
    assert "es: not in the .po: 'A sentence nobody translated'" in found


def test_a_stale_mo_is_reported(project_copy: Path):
    template = project_copy / "portal" / "templates" / "new.html"
    template.write_text('{% load i18n %}{% translate "Help center" %}')
    po = i18n_catalog.po_path("de", project_copy)
    po.write_text(po.read_text().replace('msgstr "Hilfe-Center"', 'msgstr "Hilfecenter"'))
    found = i18n_catalog.problems(project_copy)
    assert any(p.startswith("de:") and "not the compiled .po" in p for p in found)
    i18n_catalog.compile_language("de", project_copy)
    assert i18n_catalog.problems(project_copy) == []


def test_update_keeps_translations_and_adds_new_strings(project_copy: Path):
    template = project_copy / "portal" / "templates" / "new.html"
    template.write_text(
        '{% load i18n %}{% translate "Help center" %}{% translate "Brand new" %}'
        "{% blocktranslate count n=k %}{{ n }} file{% plural %}{{ n }} files{% endblocktranslate %}"
    )
    catalog = i18n_catalog.extract(project_copy)
    i18n_catalog.update("de", catalog, project_copy)
    german = i18n_catalog.read("de", project_copy)
    assert german.get("Help center").string == "Hilfe-Center"
    assert german.get("Brand new").string == ""
    assert german.get(("%(n)s file", "%(n)s files")) is not None
    assert german.get("Search results") is None  # gone from the code: dropped


def test_the_check_command_passes_on_the_shipped_catalogs(capsys):
    call_command("messages", "check")
    assert "Every marked string is translated" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("locale", "language"),
    [("de", "de"), ("de-AT", "de"), ("es_MX", "es"), ("en-US", "en"), ("fr", "en"), ("", "en")],
)
def test_a_stored_locale_maps_to_one_of_our_languages(locale, language):
    assert language_for(locale) == language


def test_the_compiled_catalogs_are_what_django_reads():
    with translation.override("de"):
        assert translation.gettext("Help center") == "Hilfe-Center"
    with translation.override("es"):
        assert (
            translation.ngettext(
                "These links work for %(days)s day.", "These links work for %(days)s days.", 3
            )
            % {"days": 3}
            == "Estos enlaces funcionan durante 3 días."
        )


def test_the_jinja2_partials_strings_are_extracted_and_checked(project_copy: Path):
    """The workspace's Jinja2 partials (templates/jinja2/) are in the catalog like the Django
    templates: a new ``_()`` or ``{% trans %}`` there without a translation fails the check."""
    partials = project_copy / "templates" / "jinja2" / "agent"
    partials.mkdir(parents=True)
    (partials / "_new.html").write_text(
        '{{ _("A row nobody translated") }} {{ _("Hello %(name)s", name=n) }}'
        "{% trans %}A block nobody translated{% endtrans %}"
    )
    catalog = i18n_catalog.extract(project_copy)
    assert catalog.get("Hello %(name)s") is not None
    found = i18n_catalog.problems(project_copy)
    for text in ("A row nobody translated", "A block nobody translated"):
        assert f"de: not in the .po: {text!r}" in found
        assert f"es: not in the .po: {text!r}" in found


def test_the_real_partials_render_translated():
    from django.template import engines

    partial = engines["jinja2"].get_template("agent/_search_results.html")
    with translation.override("de"):
        html = partial.render({"results": [], "q": "<b>x</b>", "full_text": False})
    assert "Nichts passt zu „&lt;b&gt;x&lt;/b&gt;“." in html
