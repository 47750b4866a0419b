from django.urls import path

from tickets.staff import branding_views, mail_template_views, views

app_name = "staff"

urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("teams/", views.team_list, name="teams"),
    path("branding/", branding_views.branding_page, name="branding"),
    path("mail-templates/", mail_template_views.template_list, name="mail_templates"),
    path(
        "mail-templates/<slug:kind>/<slug:language>/",
        mail_template_views.template_edit,
        name="mail_template",
    ),
    path(
        "mail-templates/<slug:kind>/<slug:language>/preview/",
        mail_template_views.template_preview,
        name="mail_template_preview",
    ),
    path("teams/<int:team_id>/", views.team_detail, name="team"),
    path(
        "users/<int:user_id>/<slug:action>/",
        views.user_action,
        name="user_action",
    ),
]
