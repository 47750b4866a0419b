from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts import throttle

THROTTLED_MESSAGE = (
    "Too many failed sign-in attempts. For your security, sign-in is paused for 15 minutes; "
    "try again later or reset your password."
)


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form with a per-account and per-address limit on failed attempts."""

    def clean(self):
        email = (self.data.get("username") or "").strip()
        ip = throttle.client_ip(self.request) if self.request else "unknown"
        if not throttle.login_attempt(email=email, ip=ip):
            raise forms.ValidationError(THROTTLED_MESSAGE, code="throttled")
        cleaned = super().clean()
        throttle.login_succeeded(email=email, ip=ip)
        return cleaned
