from django.urls import path

from integrations import views

urlpatterns = [
    path("webhooks/", views.subscription_list, name="webhooks"),
    path("webhooks/new/", views.subscription_form, name="webhook_new"),
    path("webhooks/<int:subscription_id>/", views.subscription_detail, name="webhook_detail"),
    path("webhooks/<int:subscription_id>/edit/", views.subscription_form, name="webhook_edit"),
    path(
        "webhooks/<int:subscription_id>/enable/",
        views.subscription_action,
        {"action": "enable"},
        name="webhook_enable",
    ),
    path(
        "webhooks/<int:subscription_id>/<slug:action>/",
        views.subscription_action,
        name="webhook_action",
    ),
    path(
        "webhooks/deliveries/<uuid:delivery_id>/resend/",
        views.delivery_resend,
        name="webhook_resend",
    ),
]
