from django.urls import path

from reports import insight_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("products/<int:pk>/", insight_views.product_page, name="product"),
    path("organizations/", views.organizations, name="organizations"),
    path("product-parts/", views.product_parts, name="product-parts"),
    path("export/<slug:table>.csv", views.export_csv, name="export"),
]
