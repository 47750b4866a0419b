"""Error sentences no catalog can translate: a literal message handed to one of the project's
error classes (or shown as a flash message) in the apps' Python code.

A ``DomainError`` (``ValidationFailed``, ``InvalidChange``, ``NotPermitted``, ``NotFound``,
``AlreadyExists``), a rule's, a calendar's or a report filter's error, a form's
``ValidationError`` or ``add_error`` is a sentence a person reads on a page, so its message must
be marked for translation where it is raised: the first argument is a call to ``_``/``gettext``/
``gettext_lazy``/``ngettext``/``pgettext`` (alone, ``% {…}``-formatted, or a name bound to one).
The same holds for a flash message (``messages.success(request, …)`` and its siblings).
A plain string, an f-string, ``"…" % x`` or ``"…".format(x)`` is reported with its file and line
by ``manage.py messages check`` (``tests/support/test_translations_errors.py``). The API still
answers in English: ``ApiLanguageMiddleware`` turns translation off under ``/api/``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

# Called with a message a person reads (their first argument; add_error's second).
ERROR_CLASSES = {
    "DomainError",
    "ValidationFailed",
    "InvalidChange",
    "NotPermitted",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "ValidationError",
    "RuleError",
    "FilterError",
    "CalendarError",
    "BadFilter",
}
TRANSLATE = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# ``django.contrib.messages``: the notice on the next page, after ``request``.
FLASH = {"debug", "info", "success", "warning", "error"}
# Where the message is when it is not the first argument.
MESSAGE_AT = {"add_error": 1, "BadFilter": 1}
# Modules whose errors are never shown to a person in a page, with why: the API's views,
# serializers, inputs, filters and error handlers answer under /api/, where
# ``ApiLanguageMiddleware`` keeps English whoever asks (a client may compare the sentence;
# docs/api.md, *Language*).
API_MODULE = re.compile(r"(^|/)(api|serializers|\w+_api|api_\w+)\.py$|^support/api/")
# Single messages never shown to a person, as (file, the message's first words), with why.
ALLOWED: dict[tuple[str, str], str] = {}


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _message(node: ast.Call) -> ast.expr | None:
    """The message argument of an error class, ``add_error`` or a flash message
    (``messages.success(request, …)``) call, if it has one."""
    name = _called(node)
    func = node.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "messages"
        and name in FLASH
    ):
        at = 1
    elif name != "add_error" and name not in ERROR_CLASSES:
        return None
    else:
        at = MESSAGE_AT.get(name, 0)
    args = node.args[at : at + 1] or [
        kw.value for kw in node.keywords if kw.arg in {"message", "error", "errors"}
    ]
    return args[0] if args else None


def _literal(node: ast.expr, bound: dict[str, list[ast.expr]], seen: frozenset = frozenset()):
    """The English literal at the heart of ``node`` (a node), or None if it is translated or not
    a literal at all."""
    if isinstance(node, ast.Constant):
        return node if isinstance(node.value, str) and node.value.strip() else None
    if isinstance(node, ast.JoinedStr):
        return node
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _literal(node.left, bound, seen) or (
            _literal(node.right, bound, seen) if isinstance(node.op, ast.Add) else None
        )
    if isinstance(node, ast.Dict):  # FilterError({"field": message, …})
        return next((hit for v in node.values if (hit := _literal(v, bound, seen))), None)
    if isinstance(node, ast.IfExp):
        return _literal(node.body, bound, seen) or _literal(node.orelse, bound, seen)
    if isinstance(node, ast.Call):
        if _called(node) in TRANSLATE:
            return None
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in {"format", "join"}:
            return _literal(func.value, bound, seen) if func.attr == "format" else None
        return None
    if isinstance(node, ast.Name) and node.id not in seen:
        for value in bound.get(node.id, []):
            hit = _literal(value, bound, seen | {node.id})
            if hit is not None:
                return hit
    return None


def _bindings(tree: ast.AST) -> dict[str, list[ast.expr]]:
    """What each simple name is assigned anywhere in the module (scopes are not told apart: a
    name bound to a literal anywhere is suspect everywhere, which errs on the safe side)."""
    bound: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and node.value and isinstance(node.target, ast.Name):
            bound.setdefault(node.target.id, []).append(node.value)
    return bound


def _words(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return ast.unparse(node)


def source_findings(source: str, name: str = "<source>") -> list[tuple[int, str]]:
    """(line, message) of each untranslated literal message in a module's source."""
    tree = ast.parse(source, name)
    bound = _bindings(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        message = _message(node)
        if message is None:
            continue
        literal = _literal(message, bound)
        if literal is None:
            continue
        text = " ".join(_words(literal).split())
        if any(where == name and text.startswith(start) for where, start in ALLOWED):
            continue
        found.append((node.lineno, f"{_called(node)}({text[:80]})"))
    return sorted(found)


def python_files(root: Path) -> Iterator[Path]:
    """The apps' Python code: what the catalog reads, without tests, benchmarks, migrations."""
    from support.i18n_catalog import source_files

    for path in source_files(root):
        if path.suffix == ".py":
            yield path


def untranslated(root: Path) -> list[str]:
    """Every untranslated error message, as ``path:line: Class(message)``."""
    found: list[str] = []
    for path in python_files(root):
        name = str(path.relative_to(root))
        if API_MODULE.search(name):
            continue
        source = path.read_text(encoding="utf-8")
        if "(" not in source:
            continue
        found.extend(f"{name}:{line}: {text}" for line, text in source_findings(source, name))
    return found
