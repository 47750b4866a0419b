"""The translation catalogs, kept with Python alone (Babel), no GNU gettext binaries.

``manage.py messages update`` extracts every marked string (``gettext`` & co. in Python,
``{% translate %}``/``{% blocktranslate %}`` in Django templates, via Django's own ``templatize``,
and ``_()``/``{% trans %}`` in the Jinja2 partials of ``templates/jinja2/``, via Jinja2's extractor)
into ``locale/<lang>/LC_MESSAGES/django.po``, and the ``gettext``/``ngettext``/``pgettext`` calls
of ``static/js/*.js`` (Babel's JavaScript extractor) into ``djangojs.po`` (served by
``support.js_catalog``), keeping existing translations;
``manage.py messages compile`` writes the ``.mo`` files Django reads; ``manage.py messages check``
(and ``tests/support/test_translations.py``) fails on a marked string missing or untranslated in a
language, a placeholder that differs, or a ``.mo`` that is not the compiled ``.po``.
Adding a language: add it to ``settings.LANGUAGES``, run ``update``, translate, ``compile``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

# Where marked strings live; tests, benchmarks and migrations are not in the catalog.
SKIP_DIRS = {
    ".venv",
    "tests",
    "bench",
    "migrations",
    "node_modules",
    "var",
    "staticfiles",
}
SKIP_TOP = {"docs", "static", "locale", "scripts"}
DOMAINS = ("django", "djangojs")
JS_KEYWORDS = {
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def source_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if not parts or parts[0] in SKIP_TOP or parts[0].startswith("."):
            continue
        if SKIP_DIRS.intersection(parts):
            continue
        if path.suffix == ".py" or (
            path.suffix in {".html", ".txt", ".xml"} and "templates" in parts
        ):
            yield path


def is_jinja2(path: Path) -> bool:
    return "jinja2" in path.parts and "templates" in path.parts


def _jinja2_messages(path: Path):
    """(lineno, keyword, message, comments) of a Jinja2 partial, as ``extract_python`` gives
    them for Python: Jinja2's own extractor, with the options of our environment."""
    from jinja2.ext import babel_extract

    with path.open("rb") as handle:
        yield from babel_extract(
            handle,
            KEYWORDS.keys(),
            [],
            {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "trimmed": "true"},
        )


def _python_source(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return text
    # templatize turns a template into gettext calls on the same lines; its padding is not valid
    # Python indentation, so each line is left-stripped before tokenizing.
    return "\n".join(line.lstrip() for line in templatize(text, origin=str(path)).splitlines())


def js_files(root: Path) -> Iterator[Path]:
    """The workspace's own scripts (``static/js``; ``static/vendor`` is not ours)."""
    yield from sorted((root / "static" / "js").glob("*.js"))


def _js_messages(path: Path):
    from babel.messages.extract import extract_javascript

    with path.open("rb") as handle:
        yield from extract_javascript(handle, JS_KEYWORDS.keys(), [], {})


def extract(root: Path | None = None, domain: str = "django"):
    """A Babel catalog of every marked string under ``root`` (the project): the Python and
    template strings for ``django``, the ``static/js`` strings for ``djangojs``."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_python

    root = root or Path(settings.BASE_DIR)
    catalog = Catalog(project="Switchboard", fuzzy=False)
    if domain == "djangojs":
        for path in js_files(root):
            for lineno, func, message, comments in _js_messages(path):
                msgid, context = _message_id(message, JS_KEYWORDS[func])
                if msgid is not None:
                    location = (str(path.relative_to(root)), lineno)
                    catalog.add(
                        msgid, locations=[location], auto_comments=comments, context=context
                    )
        return catalog
    for path in source_files(root):
        if is_jinja2(path):
            found = _jinja2_messages(path)
        else:
            source = _python_source(path)
            if "gettext" not in source and "_(" not in source:
                continue
            found = extract_python(io.BytesIO(source.encode("utf-8")), KEYWORDS.keys(), [], {})
        for lineno, _func, message, comments in found:
            spec = KEYWORDS[_func]
            msgid, context = _message_id(message, spec)
            if msgid is None:
                continue
            catalog.add(
                msgid,
                locations=[(str(path.relative_to(root)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def _message_id(message, spec):
    """(msgid or (singular, plural), context) from one extracted call, per its keyword spec."""
    if spec is None:
        value = message[0] if isinstance(message, tuple) else message
        return (value or None), None
    values = message if isinstance(message, tuple) else (message,)
    context = None
    picked = []
    for index in spec:
        if isinstance(index, tuple):
            context = values[index[0] - 1]
        else:
            picked.append(values[index - 1] if index - 1 < len(values) else None)
    if not picked or picked[0] is None:
        return None, None
    if len(picked) == 1:
        return picked[0], context
    return tuple(picked), context


def po_path(language: str, root: Path | None = None, domain: str = "django") -> Path:
    root = root or Path(settings.BASE_DIR)
    return root / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


def translated_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def read(language: str, root: Path | None = None, domain: str = "django"):
    from babel.messages.pofile import read_po

    path = po_path(language, root, domain)
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def update(language: str, template, root: Path | None = None, domain: str = "django") -> Path:
    """Merge ``template`` (from ``extract``) into the language's .po, keeping translations."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    path = po_path(language, root, domain)
    if path.exists():
        catalog = read(language, root, domain)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=language, project="Switchboard")
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    what = "the workspace's scripts" if domain == "djangojs" else "the site and its mail"
    catalog.header_comment = (
        f"# Switchboard's {language} translation: {what}.\n"
        "# Kept with `manage.py messages update|compile|check` (docs/knowledge-base.md)."
    )
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False)
    return path


def compiled(language: str, root: Path | None = None, domain: str = "django") -> bytes:
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, read(language, root, domain), use_fuzzy=False)
    return out.getvalue()


def compile_language(language: str, root: Path | None = None, domain: str = "django") -> Path:
    path = po_path(language, root, domain).with_suffix(".mo")
    path.write_bytes(compiled(language, root, domain))
    return path


def problems(root: Path | None = None) -> list[str]:
    """Everything that would make a language incomplete or stale; empty when all is well."""
    from support import i18n_errors, i18n_scan

    found: list[str] = []
    for domain in DOMAINS:
        found.extend(_domain_problems(root, domain))
    found.extend(
        f"untranslated text: {hit}"
        for hit in i18n_scan.untranslated(root or Path(settings.BASE_DIR))
    )
    found.extend(
        f"untranslated error message: {hit}"
        for hit in i18n_errors.untranslated(root or Path(settings.BASE_DIR))
    )
    return found


def _domain_problems(root: Path | None, domain: str) -> list[str]:
    template = extract(root, domain)
    where = "the .po" if domain == "django" else f"{domain}.po"
    found: list[str] = []
    for language in translated_languages():
        path = po_path(language, root, domain)
        if not path.exists():
            found.append(f"{language}: {path} is missing")
            continue
        catalog = read(language, root, domain)
        for message in template:
            if not message.id:
                continue
            have = catalog.get(message.id, context=message.context)
            label = message.id if isinstance(message.id, str) else message.id[0]
            if have is None:
                found.append(f"{language}: not in {where}: {label!r}")
                continue
            strings = have.string if isinstance(have.string, tuple) else (have.string,)
            if not all(strings) or have.fuzzy:
                found.append(f"{language}: not translated: {label!r}")
        for message, errors in catalog.check():
            for error in errors:
                found.append(f"{language}: {message.id!r}: {error}")
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(language, root, domain):
            found.append(
                f"{language}: {mo} is not the compiled .po (run manage.py messages compile)"
            )
    return found
