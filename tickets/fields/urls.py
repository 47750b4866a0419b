from django.urls import path

from tickets.fields import views

app_name = "fields"

urlpatterns = [
    path("", views.field_list, name="list"),
    path("new/", views.field_edit, name="new"),
    path("<int:pk>/", views.field_edit, name="edit"),
    path("<int:pk>/delete/", views.field_delete, name="delete"),
]
