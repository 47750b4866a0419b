from django import forms
from django.contrib import admin

from integrations.models import WebhookDelivery, WebhookEventType, WebhookSubscription
from integrations.ssrf import UnsafeUrl, check_url_shape


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "event_types", "include_notes", "is_active", "owner", "secret"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_url_shape(url)
        except UnsafeUrl as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["name", "url", "is_active", "consecutive_failures", "disabled_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["consecutive_failures", "disabled_at", "disabled_reason", "created_at"]
    raw_id_fields = ["owner"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "subscription", "event_type", "status", "attempts", "response_code"]
    list_filter = ["status", "event_type"]
    raw_id_fields = ["subscription", "event", "resent_from"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False
