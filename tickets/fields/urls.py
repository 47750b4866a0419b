from django.urls import path

from tickets.fields import form_views, views

app_name = "fields"

urlpatterns = [
    path("", views.field_list, name="list"),
    path("new/", views.field_edit, name="new"),
    path("<int:pk>/", views.field_edit, name="edit"),
    path("<int:pk>/delete/", views.field_delete, name="delete"),
    # Ticket forms: named, ordered sets of these fields.
    path("forms/", form_views.form_list, name="form_list"),
    path("forms/new/", form_views.form_edit, name="form_new"),
    path("forms/<int:pk>/", form_views.form_edit, name="form_edit"),
    path("forms/<int:pk>/delete/", form_views.form_delete, name="form_delete"),
]
