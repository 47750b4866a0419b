"""The agent's own language (Settings → Your language): the workspace's chrome, the help center
and the knowledge base's pages follow it (``customers.middleware.PersonLanguageMiddleware``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import agent_required
from accounts.services import user_set_locale
from support.errors import ValidationFailed
from tickets.workspace.views import nav_context


def language_choices() -> list[tuple[str, str]]:
    return [("", _("From the browser")), *settings.LANGUAGES]


@agent_required
@require_http_methods(["GET", "POST"])
def language_view(request: HttpRequest) -> HttpResponse:
    error, status = "", 200
    if request.method == "POST":
        try:
            user_set_locale(user=request.user, locale=request.POST.get("locale", ""))
        except ValidationFailed:
            error, status = _("Choose one of the languages offered."), 400
        else:
            # The confirmation reads in the language just chosen.
            if request.user.locale:
                translation.activate(request.user.locale)
            messages.success(request, _("Your language is saved."))
            return redirect("workspace:language")
    context = {
        "choices": language_choices(),
        "current": request.user.locale,
        "error": error,
        **nav_context(request, current="canned"),
    }
    return render(request, "agent/language.html", context, status=status)
