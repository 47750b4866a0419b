"""``{% load js_i18n %}{% js_catalog %}``: the ``<script>`` tag of the JavaScript catalog in the
active language (``support.js_catalog``), before the scripts that call ``gettext``."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html

from support.js_catalog import version

register = template.Library()


@register.simple_tag
def js_catalog() -> str:
    language = translation.get_language() or "en"
    src = reverse("js_catalog", kwargs={"language": language})
    return format_html('<script src="{}?v={}" defer></script>', src, version())
