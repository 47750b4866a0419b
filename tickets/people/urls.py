from django.urls import path

from tickets.people import field_views, views

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
    path(
        "customers/<int:customer_id>/fields/<slug:key>/",
        field_views.customer_field_edit,
        name="customer_field",
    ),
    path(
        "organizations/<int:organization_id>/fields/<slug:key>/",
        field_views.organization_field_edit,
        name="organization_field",
    ),
]
