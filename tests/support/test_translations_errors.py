"""An error sentence handed to one of the project's error classes must be marked for translation:
``support.i18n_errors`` (run by ``manage.py messages check``) fails on a literal one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from support import i18n_catalog, i18n_errors


def test_the_apps_raise_no_untranslated_error_message():
    assert i18n_errors.untranslated(Path(settings.BASE_DIR)) == []


@pytest.mark.parametrize(
    "code",
    [
        'raise ValidationFailed("A rule needs a name.", field="name")',
        'raise errors.InvalidChange(f"{ticket} is closed.")',
        'raise NotFound("No such %s." % kind)',
        'raise NotPermitted("Only {} can.".format(who))',
        'raise RuleError("Unknown key " + key, field=where)',
        'raise forms.ValidationError("Type a tag.", code="empty")',
        'raise PermissionDenied("Agents only.")',
        'raise CalendarError(f"{day} is not a weekday.")',
        'raise BadFilter("days", "days is a whole number.")',
        'raise FilterError({"product": f"No product has the id {raw}."}, filters=f)',
        'form.add_error(None, "Too many attempts.")',
        'messages.success(request, f"Saved macro “{macro.title}”.")',
        'messages.error(request, "Choose a macro to apply.")',
        'raise ValidationFailed(_("Fine.") if ok else "Not fine.")',
        'MESSAGE = "Too many attempts."\ndef f():\n    raise ValidationFailed(MESSAGE)',
    ],
)
def test_a_literal_message_is_reported(code: str):
    found = i18n_errors.source_findings(code, "tickets/services/example.py")
    assert len(found) == 1, found


@pytest.mark.parametrize(
    "code",
    [
        'raise ValidationFailed(_("A rule needs a name."), field="name")',
        'raise InvalidChange(gettext("%(ref)s is closed.") % {"ref": ref})',
        'raise NotFound(pgettext("ticket", "No such ticket."))',
        'raise ValidationFailed(ngettext("%(n)s tag", "%(n)s tags", n) % {"n": n})',
        'MESSAGE = gettext_lazy("Too many.")\ndef f():\n    raise forms.ValidationError(MESSAGE)',
        "raise ValidationFailed(exc.message, field=exc.field)",
        'raise BadFilter("days", _("days is a whole number."))',
        "form.add_error(None, exc)",
        'raise ValueError("not shown to anyone")',
        'logger.error("Mail %s failed", pk)',
        'messages.success(request, _("Saved macro “%(title)s”.") % {"title": title})',
    ],
)
def test_a_translated_or_passed_on_message_passes(code: str):
    assert i18n_errors.source_findings(code, "tickets/services/example.py") == []


def test_the_check_command_fails_on_an_offending_module(tmp_path: Path):
    """The same finding through ``messages check`` (``i18n_catalog.problems``), naming file and
    line; API modules answer in English and are not read."""
    shutil.copytree(Path(settings.BASE_DIR) / "locale", tmp_path / "locale")
    (tmp_path / "tickets").mkdir()
    (tmp_path / "tickets" / "services.py").write_text(
        "from support.errors import ValidationFailed\n\n\n"
        "def close(ticket):\n"
        '    raise ValidationFailed(f"{ticket} is already closed.")\n'
    )
    (tmp_path / "tickets" / "api.py").write_text(
        'from rest_framework.exceptions import ValidationError\n\nraise ValidationError("No.")\n'
    )
    found = i18n_catalog.problems(tmp_path)
    assert found == [
        "untranslated error message: tickets/services.py:5: "
        "ValidationFailed(f'{ticket} is already closed.')"
    ]
