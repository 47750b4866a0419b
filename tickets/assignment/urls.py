from django.urls import path

from tickets.assignment import views

app_name = "assignment"

urlpatterns = [
    path("", views.settings_page, name="settings"),
]
