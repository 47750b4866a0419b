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


def test_the_workspace_scripts_strings_are_their_own_catalog(project_copy: Path):
    """``static/js`` calls ``gettext`` & co.; their strings go to ``djangojs.po``, which the
    check holds to the same rules (a missing string fails, a plural needs its forms)."""
    scripts = project_copy / "static" / "js"
    scripts.mkdir(parents=True)
    (scripts / "new.js").write_text(
        'box.textContent = gettext("A notice nobody translated");\n'
        'n.textContent = interpolate(ngettext("%(n)s row", "%(n)s rows", n), {n: n}, true);\n'
    )
    catalog = i18n_catalog.extract(project_copy, "djangojs")
    assert catalog.get(("%(n)s row", "%(n)s rows")) is not None
    found = i18n_catalog.problems(project_copy)
    assert "de: not in djangojs.po: 'A notice nobody translated'" in found
    assert "es: not in djangojs.po: '%(n)s row'" in found


def test_the_shipped_script_catalogs_translate_the_notices():
    german = i18n_catalog.read("de", domain="djangojs")
    assert german.get("Draft saved").string == "Entwurf gespeichert"
    plural = german.get(
        (
            "%(count)s ticket selected. Bulk actions are shown above the list.",
            "%(count)s tickets selected. Bulk actions are shown above the list.",
        )
    )
    assert plural.string[1].startswith("%(count)s Tickets ausgewählt")


@pytest.mark.parametrize(
    ("markup", "reported"),
    [
        ("<p>Nobody translated this</p>", "Nobody translated this"),
        ('<button aria-label="Close the panel">×</button>', "aria-label=Close the panel"),
        ('<input placeholder="Search tickets">', "placeholder=Search tickets"),
        ("<th>{{ n }} open tickets</th>", "open tickets"),
        ('{% include "x.html" with empty="Nothing is overdue." %}', "argument=Nothing is overdue."),
        ('<p>{{ item.area|default:"No area" }}</p>', "argument=No area"),
        ('<a title="Due {{ at }}">x</a>', "title=Due"),
    ],
)
def test_visible_english_outside_the_catalog_fails_the_check(project_copy: Path, markup, reported):
    """The class of bug, not a list: any English a person reads or hears in a template that no
    ``{% translate %}`` carries is reported with its file and line."""
    template = project_copy / "portal" / "templates" / "new.html"
    template.write_text("{% load i18n %}\n" + markup)
    found = i18n_catalog.problems(project_copy)
    assert f"untranslated text: portal/templates/new.html:2: {reported}" in found


def test_translated_code_and_neutral_text_pass_the_check(project_copy: Path):
    template = project_copy / "portal" / "templates" / "new.html"
    template.write_text(
        "{% load i18n %}{% block body_class %}page-portal{% endblock %}"
        '<p title="{% translate "Help center" %}">{% translate "Help center" %}</p>'
        "{% blocktranslate count n=k %}{{ n }} file{% plural %}{{ n }} files{% endblocktranslate %}"
        "<code>manage.py messages check</code><kbd>Ctrl</kbd>"
        '<span translate="no">(JSON: {"all": []})</span>'
        '<input placeholder="https://example.com/hook"> <p>SLA · CSV · {{ value }}</p>'
        "{# a comment in English #}{% comment %}Another one{% endcomment %}"
        "<script>const words = 'not for people';</script>"
        "<html lang=\"{{ LANGUAGE_CODE|default:'en' }}\">{{ rows|join:', ' }}"
    )
    i18n_catalog.update("de", i18n_catalog.extract(project_copy), project_copy)
    i18n_catalog.update("es", i18n_catalog.extract(project_copy), project_copy)
    found = [p for p in i18n_catalog.problems(project_copy) if p.startswith("untranslated")]
    assert found == []


def test_a_script_sentence_outside_gettext_fails_the_check(project_copy: Path):
    scripts = project_copy / "static" / "js"
    scripts.mkdir(parents=True)
    (scripts / "new.js").write_text(
        '"use strict";\n'
        'state.textContent = gettext("Draft saved");\n'
        'document.querySelector("[data-queue] tbody tr");\n'
        "// Saved a draft: a comment is not read by anyone\n"
        'state.textContent = "Draft saved" + " just now";\n'
    )
    found = [p for p in i18n_catalog.problems(project_copy) if p.startswith("untranslated")]
    assert found == [
        'untranslated text: static/js/new.js:5: "Draft saved"',
        'untranslated text: static/js/new.js:5: " just now"',
    ]


def test_a_file_allowed_to_hold_english_must_still_hold_some(project_copy: Path, monkeypatch):
    """The allow-list only shrinks: a file on it with nothing English left fails the check."""
    from support import i18n_scan

    template = project_copy / "portal" / "templates" / "new.html"
    template.write_text('{% load i18n %}<p>{% translate "Help center" %}</p>')
    monkeypatch.setitem(i18n_scan.ENGLISH_FILES, "portal/templates/new.html", "for the test")
    found = i18n_catalog.problems(project_copy)
    assert (
        "untranslated text: portal/templates/new.html: no English left: take it off ENGLISH_FILES"
        in found
    )


def test_visible_english_in_a_jinja2_partial_fails_the_check(project_copy: Path):
    partials = project_copy / "templates" / "jinja2" / "agent"
    partials.mkdir(parents=True)
    (partials / "_new.html").write_text(
        "{#- A comment\n over two lines -#}\n"
        '<td>{{ _("Help center") }}</td>{% trans %}Help center{% endtrans %}\n'
        '<td title="Last change">{{ row.subject }}</td>'
    )
    found = [p for p in i18n_catalog.problems(project_copy) if p.startswith("untranslated")]
    assert found == ["untranslated text: templates/jinja2/agent/_new.html:4: title=Last change"]
