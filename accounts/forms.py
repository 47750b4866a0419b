from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from accounts.validators import PASSWORD_MAX_LENGTH

THROTTLED_MESSAGE = _(
    "Too many failed sign-in attempts. For your security, sign-in is paused for 15 minutes; "
    "try again later or reset your password."
)


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form with a per-account and per-address limit on failed attempts."""

    # No password is longer (``accounts.validators``): a longer one is refused unhashed.
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        email = (self.data.get("username") or "").strip()
        ip = throttle.client_ip(self.request) if self.request else "unknown"
        if not throttle.login_attempt(email=email, ip=ip):
            raise forms.ValidationError(THROTTLED_MESSAGE, code="throttled")
        cleaned = super().clean()
        # Only a checked, right password gives the attempt back: an empty or over-long one
        # skips the check and must not clear the account's failures.
        if self.user_cache is not None:
            throttle.login_succeeded(email=email, ip=ip)
        return cleaned
