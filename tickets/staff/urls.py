from django.urls import path

from tickets.staff import views

app_name = "staff"

urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<int:team_id>/", views.team_detail, name="team"),
    path(
        "users/<int:user_id>/<slug:action>/",
        views.user_action,
        name="user_action",
    ),
]
