from django.urls import path

from tickets.staff import views

app_name = "staff"

urlpatterns = [
    path("users/", views.user_list, name="users"),
    path(
        "users/<int:user_id>/<slug:action>/",
        views.user_action,
        name="user_action",
    ),
]
