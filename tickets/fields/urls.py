from django.urls import path

from tickets.fields import form_views, profile_views, views

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
    # Organization and customer fields (customers.fields).
    path("people/", profile_views.profile_field_list, name="profile_list"),
    path("people/new/", profile_views.profile_field_edit, name="profile_new"),
    path("people/<int:pk>/", profile_views.profile_field_edit, name="profile_edit"),
    path("people/<int:pk>/delete/", profile_views.profile_field_delete, name="profile_delete"),
]
