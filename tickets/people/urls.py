from django.urls import path

from tickets.people import views

app_name = "people"

urlpatterns = [
    path("customers/<int:customer_id>/", views.customer_detail, name="customer"),
    path(
        "customers/<int:customer_id>/language/",
        views.customer_language,
        name="customer_language",
    ),
    path("customers/<int:customer_id>/merge/", views.customer_merge_view, name="customer_merge"),
    path("organizations/<int:organization_id>/", views.organization_detail, name="organization"),
    path("organizations/options/", views.organization_options, name="organization_options"),
]
