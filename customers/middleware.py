"""A signed-in person reads the site in their own language.

Django's ``LocaleMiddleware`` (before this one) picks the language from the language cookie or the
browser's ``Accept-Language``: that is what a visitor gets. A signed-in customer gets their
contact's ``locale`` (set from the portal's language switcher or by an agent), an agent or admin
their user's ``locale``, whatever the browser says; an empty ``locale`` means "from the
browser".
"""

from __future__ import annotations

from django.utils import translation

from support.i18n import language_for


class PersonLanguageMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            locale = user.locale
            if user.is_customer:
                # The reverse one-to-one is cached on the user: the portal's own lookup of the
                # customer then costs no second query.
                customer = getattr(user, "customer", None)
                if customer is not None:
                    locale = customer.locale
            if locale:  # empty: "from the browser", LocaleMiddleware's choice stands
                language = language_for(locale)
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
