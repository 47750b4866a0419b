"""The page where a signed-in person creates and revokes their personal API tokens."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.tokens import api_token_create, api_token_revoke, api_tokens_of
from support.errors import DomainError


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Where the token is used, e.g. “CRM sync”.")
    read_only = forms.BooleanField(required=False, label="Read-only (can't change anything)")


def _layout_of(user) -> str:
    """The frame a person manages their tokens in: agents in the workspace, product managers
    beside feedback and reports, customers in the portal."""
    if user.is_agent:
        return "agent/base.html"
    if user.is_product_manager:
        return "feedback/base.html"
    return "portal/base.html"


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            # Shown in this response only: never stored in clear, never put in the session.
            created = {"token": token, "raw": raw}
            form = TokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": api_tokens_of(request.user),
            "layout": _layout_of(request.user),
            "nav": "account",
        },
    )


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    api_token_revoke(token_id=token_id, by=request.user)
    return redirect("api_tokens")


urlpatterns = [
    path("", api_tokens, name="api_tokens"),
    path("<int:token_id>/revoke/", api_token_revoke_view, name="api_token_revoke"),
]
