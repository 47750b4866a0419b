from django.urls import path

from feedback.views import csat

app_name = "feedback"

urlpatterns = [
    path("csat/<str:signed>/", csat.csat_answer, name="csat_answer"),
    path("csat/ticket/<int:ticket_id>/", csat.csat_portal, name="csat_portal"),
]
