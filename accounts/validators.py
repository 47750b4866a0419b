"""Password rules of our own, beside Django's (``AUTH_PASSWORD_VALIDATORS``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Long enough for any passphrase or password manager; short enough that hashing what a client
# sends costs the same small amount every time.
PASSWORD_MAX_LENGTH = 128


class MaximumLengthValidator:
    def __init__(self, max_length: int = PASSWORD_MAX_LENGTH):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                )
                % {"max_length": self.max_length},
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("Your password can’t be longer than %(max_length)d characters.") % {
            "max_length": self.max_length
        }
