"""The workspace JavaScript's words (``static/js``: notices, errors, live-region sentences) in the
reader's language, without a Node build step: Django's ``JavaScriptCatalog`` over our ``djangojs``
catalog (``locale/<lang>/LC_MESSAGES/djangojs.po``, kept by ``manage.py messages``).

The catalog is a plain script from this site (CSP ``script-src 'self'``: no inline script). Its
address names the language and the catalogs' version (``/jsi18n/de.js?v=<hash of the .mo
files>``), so browsers keep it for a year and a new deploy with new words gets a new address; the
server renders each language once per process. ``{% js_catalog %}`` writes the ``<script>``
tag: put it before the scripts that call ``gettext``.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog

DOMAIN = "djangojs"
YEAR = 365 * 24 * 3600


def _locale_dirs() -> list[str]:
    return [str(path) for path in settings.LOCALE_PATHS]


@cache
def version() -> str:
    """A short hash of every language's compiled JavaScript catalog: changes when a word does."""
    digest = hashlib.sha256()
    for directory in _locale_dirs():
        for mo in sorted(Path(directory).glob(f"*/LC_MESSAGES/{DOMAIN}.mo")):
            digest.update(str(mo.relative_to(directory)).encode())
            digest.update(mo.read_bytes())
    return digest.hexdigest()[:12]


class _Catalog(JavaScriptCatalog):
    domain = DOMAIN

    def get(self, request, *args, **kwargs):
        # Only our catalog (not every installed app's JavaScript words): a smaller script.
        self.translation = DjangoTranslation(
            translation.get_language(), domain=DOMAIN, localedirs=_locale_dirs()
        )
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context)


@cache
def _rendered(language: str) -> bytes:
    with translation.override(language):
        request = HttpRequest()
        request.method = "GET"
        return _Catalog.as_view()(request).content


@require_GET
def js_catalog(request: HttpRequest, language: str) -> HttpResponse:
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    response = HttpResponse(_rendered(language), content_type="text/javascript; charset=utf-8")
    if request.GET.get("v") == version():
        response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response["Cache-Control"] = "public, max-age=300"
    return response
