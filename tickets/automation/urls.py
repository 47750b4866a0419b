from django.urls import path

from tickets.automation import views

app_name = "automation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<str:kind>/new/", views.rule_edit, name="new"),
    path("<str:kind>/test/", views.rule_test, name="test"),
    path("<str:kind>/<int:pk>/", views.rule_edit, name="edit"),
    path("<str:kind>/<int:pk>/<str:op>/", views.rule_action, name="action"),
]
