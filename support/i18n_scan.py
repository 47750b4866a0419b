"""Visible English that no catalog can translate: text in a Django template outside
``{% translate %}``/``{% blocktranslate %}``, and a sentence in ``static/js`` outside ``gettext``.

``manage.py messages check`` (and ``tests/support/test_translations.py``) reports every such
fragment with its file and line, so the next untranslated string fails CI instead of reaching a
German agent. What counts as visible: an HTML text node (not in ``<script>``, ``<style>``,
``<code>``, ``<kbd>``, ``<pre>``, ``<samp>``, nor in an element marked ``translate="no"``, HTML's
own way to say "not words of a language": JSON examples) and the attributes people read or hear
(``aria-label``, ``title``, ``placeholder``, ``alt``, ``data-confirm``, ``hx-confirm``), with a
word of two or more letters once template variables and tags are taken out. Words that are the
same in every language (``NEUTRAL``) and the templates that are English on purpose
(``ENGLISH_FILES``, each with its reason) are allowed. The Jinja2 partials are read the same way
(their ``{{ _("…") }}`` is a variable, ``{% trans %}`` a translated block).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
TAG_LITERAL = re.compile(r"""=\s*"([^"]*)"|=\s*'([^']*)'|default:"([^"]*)"|default:'([^']*)'""")
MARK = "\x01"  # stands for a variable or a translated string in the skeleton of a template
VISIBLE_ATTRIBUTES = {
    "aria-label",
    "title",
    "placeholder",
    "alt",
    "data-confirm",
    "hx-confirm",
    "aria-description",
}
LITERAL = {"script", "style", "code", "kbd", "pre", "samp"}
WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")
# The same in English, German and Spanish: names, abbreviations, keys.
NEUTRAL = {
    "Switchboard",
    "Swagger",
    "SLA",
    "CSV",
    "API",
    "JSON",
    "URL",
    "ID",
    "HMAC",
    "SMTP",
    "IMAP",
    "CC",
    "Ctrl+Enter (⌘+Enter)",
    "Enter",
    "Esc",
    "Tab",
    "Markdown",
    "Webhooks",
}
# Not words either: the words above, an address or a colour given as an example.
NEUTRAL_PATTERN = re.compile(
    r"https?://\S+|#[0-9a-fA-F]{3,8}\b|(?<!\w)(?:"
    + "|".join(re.escape(word) for word in sorted(NEUTRAL, key=len, reverse=True))
    + r")(?!\w)"
)

# Templates allowed to hold English, with why. Each must still hold some (else the check says to
# take it off), so the list only shrinks; docs/knowledge-base.md names what is still English.
ENGLISH_FILES: dict[str, str] = {
    # A forward (to anyone), an invitation and a sign-in reset are written in the default
    # language (docs/knowledge-base.md, Not built yet); the agents' notifications are theirs.
    **dict.fromkeys(
        [
            "templates/mail/forward.html",
            "templates/mail/invite.html",
            "templates/mail/sign_in_reset.html",
        ],
        "a forward, an invitation, a sign-in reset: in the default language",
    ),
}


def _skeleton(text: str, *, jinja: bool = False) -> Iterator[str]:
    """The template as HTML on the same lines: its literal text, a MARK for each variable and
    translated string, nothing for other tags; comments and verbatim blocks dropped. A Jinja2
    partial reads the same, but for its multi-line comments and ``{% trans %}`` blocks."""
    if jinja:
        text = JINJA_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    opens = {"blocktranslate", "blocktrans"} | ({"trans"} if jinja else set())
    closes = {"endblocktranslate", "endblocktrans", "endtrans"}
    depth = 0
    skip = ""
    for token in Lexer(text).tokenize():
        lines = "\n" * token.contents.count("\n")
        if token.token_type == TokenType.TEXT and not (skip or depth):
            yield token.contents
            continue
        if token.token_type == TokenType.BLOCK:
            bits = token.contents.split() or [""]
            if skip:
                skip = "" if bits[0] == skip else skip
            elif bits[0] in opens:
                depth += 1
                yield MARK
            elif bits[0] in closes:
                depth -= 1
            elif bits[0] in {"comment", "verbatim"}:
                skip = "end" + bits[0]
            elif bits[1:2] == ["body_class"]:  # a CSS class, not a word
                skip = "endblock"
            elif bits[0] in {"translate", "trans"}:
                yield MARK
        elif token.token_type == TokenType.VAR and not (skip or depth):
            yield MARK
        yield lines


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.literal = 0
        self.open: list[str] = []  # the literal elements we are in, innermost last
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in LITERAL or ("translate", "no") in attrs:
            self.literal += 1
            self.open.append(tag)
        for name, value in attrs:
            if value and name in VISIBLE_ATTRIBUTES:
                self._check(value, f"{name}=", self.getpos()[0])

    def handle_endtag(self, tag) -> None:
        if self.open and tag == self.open[-1]:
            self.open.pop()
            self.literal -= 1

    def handle_data(self, data) -> None:
        if not self.literal:
            leading = len(data) - len(data.lstrip())
            self._check(data, "", self.getpos()[0] + data.count("\n", 0, leading))

    def _check(self, value: str, prefix: str, line: int) -> None:
        text = " ".join(value.replace(MARK, " ").split())
        rest = NEUTRAL_PATTERN.sub(" ", text)
        if WORD.search(rest):
            self.found.append((line, prefix + text))


def _tag_literals(text: str) -> Iterator[tuple[int, str]]:
    """Words handed over in a tag or filter argument (``{% include … with empty="Nothing." %}``,
    ``{{ x|default:"No area" }}``): printed by the partial or the filter, never translated."""
    for token in Lexer(text).tokenize():
        if token.token_type == TokenType.VAR or (
            token.token_type == TokenType.BLOCK
            and (token.contents.split() or [""])[0] in {"include", "with", "firstof"}
        ):
            for groups in TAG_LITERAL.findall(token.contents):
                literal = "".join(groups)
                said = WORD.search(NEUTRAL_PATTERN.sub(" ", literal))
                if said and (not literal.islower() or " " in literal.strip()):
                    yield token.lineno, f"argument={literal}"


def template_findings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each visible English fragment of a Django template."""
    parser = _Visible()
    jinja = "jinja2" in path.parts
    text = path.read_text(encoding="utf-8")
    parser.feed("".join(_skeleton(text, jinja=jinja)))
    parser.close()
    return sorted(parser.found + ([] if jinja else list(_tag_literals(text))))


# A string literal in a script, and the calls that make one translated.
JS_STRING = re.compile(r"""(?<![\w$])n?p?gettext\(|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""")
JS_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\"'])//[^\n]*", re.S)
JS_ARGUMENTS = {"gettext(": 1, "ngettext(": 2, "pgettext(": 2, "npgettext(": 3}
JS_NEUTRAL = {"use strict", "a, input, button, label"}  # a pragma, a selector list
SENTENCE = re.compile(r"\b[A-Za-z]{2,}[,.;:!?…]? +[A-Za-z]{2,}")


def script_findings(path: Path) -> list[tuple[int, str]]:
    """String literals that read like words for people (two words or more, tags taken out) and are
    not the first argument of a ``gettext`` call."""
    source = JS_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), path.read_text("utf-8"))
    found: list[tuple[int, str]] = []
    translated = 0  # how many of the next literals are a gettext call's messages
    for match in JS_STRING.finditer(source):
        token = match.group()
        if token.endswith("("):
            translated = JS_ARGUMENTS[token]
            continue
        text = re.sub(r"<[^>]*>", " ", token[1:-1])
        selector = re.search(r"[\[\]#]|^\.", text)
        if not translated and not selector and SENTENCE.search(text) and text not in JS_NEUTRAL:
            found.append((source.count("\n", 0, match.start()) + 1, token))
        translated = max(0, translated - 1)
    return found


def template_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.html")):
        parts = path.relative_to(root).parts
        if parts[0].startswith(".") or {"tests", "bench", "node_modules"} & set(parts):
            continue
        if "templates" in parts:
            yield path


def untranslated(root: Path) -> list[str]:
    """Every visible English fragment outside the catalogs, as ``path:line: text``."""
    found: list[str] = []
    for path in template_files(root):
        name = str(path.relative_to(root))
        hits = template_findings(path)
        if name in ENGLISH_FILES:
            if not hits:
                found.append(f"{name}: no English left: take it off ENGLISH_FILES")
            continue
        found.extend(f"{name}:{line}: {text}" for line, text in hits)
    for path in sorted((root / "static" / "js").glob("*.js")):
        name = str(path.relative_to(root))
        found.extend(f"{name}:{line}: {text}" for line, text in script_findings(path))
    return found
