from django.urls import path

from integrations import views

urlpatterns = [
    path("webhooks/", views.subscription_list, name="webhooks"),
    path("webhooks/<int:subscription_id>/", views.subscription_detail, name="webhook_detail"),
    path(
        "webhooks/<int:subscription_id>/enable/",
        views.subscription_enable,
        name="webhook_enable",
    ),
    path(
        "webhooks/deliveries/<uuid:delivery_id>/resend/",
        views.delivery_resend,
        name="webhook_resend",
    ),
]
