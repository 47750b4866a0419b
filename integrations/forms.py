"""The webhook subscription form of the admin pages (the API has its own serializers; both call
``integrations.services``)."""

from __future__ import annotations

from django import forms

from integrations.models import WebhookEventType
from support.weburl import WebUrlFormField

# A test event goes only where an admin sends it; nobody subscribes to it.
SUBSCRIBABLE = [(v, label) for v, label in WebhookEventType.choices if v != "webhook.test"]


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=100, required=False)
    url = WebUrlFormField(
        max_length=2000,
        label="URL",
        error_messages={"required": "Give the URL to send events to."},
        assume_scheme="https",
    )
    event_types = forms.MultipleChoiceField(
        choices=SUBSCRIBABLE,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event type."},
    )
    include_notes = forms.BooleanField(required=False)
