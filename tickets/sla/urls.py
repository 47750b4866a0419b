from django.urls import path

from tickets.sla import views

app_name = "sla"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("at-risk/", views.at_risk, name="at_risk"),
    path("calendars/new/", views.calendar_edit, name="calendar_new"),
    path("calendars/<int:pk>/", views.calendar_edit, name="calendar_edit"),
    path("calendars/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("policies/new/", views.policy_edit, name="policy_new"),
    path("policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/delete/", views.policy_delete, name="policy_delete"),
    path("policies/preview/", views.policy_preview, name="policy_preview"),
    path("clock/<int:ticket_id>/", views.clock_fragment, name="clock"),
]
