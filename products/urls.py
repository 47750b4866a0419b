from django.urls import path

from products import views

app_name = "products"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("new/", views.product_edit, name="new"),
    path("options/", views.product_choice_options, name="options"),
    path("<int:pk>/", views.product_edit, name="edit"),
    path("<int:pk>/delete/", views.product_delete, name="delete"),
    path("<int:product_pk>/versions/new/", views.version_edit, name="version_new"),
    path("<int:product_pk>/versions/<int:pk>/", views.version_edit, name="version_edit"),
    path("<int:product_pk>/versions/<int:pk>/delete/", views.version_delete, name="version_delete"),
    path("<int:product_pk>/components/new/", views.component_edit, name="component_new"),
    path("<int:product_pk>/components/<int:pk>/", views.component_edit, name="component_edit"),
    path(
        "<int:product_pk>/components/<int:pk>/delete/",
        views.component_delete,
        name="component_delete",
    ),
]
