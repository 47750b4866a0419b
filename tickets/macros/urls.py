from django.urls import path

from tickets.macros import views

app_name = "macros"

urlpatterns = [
    path("", views.macro_list, name="list"),
    path("save/", views.macro_save_view, name="save"),
    path("picker/", views.macro_picker, name="picker"),
    path("<int:macro_id>/copy/", views.macro_copy_view, name="copy"),
    path("<int:macro_id>/delete/", views.macro_delete_view, name="delete"),
    path("preview/<int:ticket_id>/<int:macro_id>/", views.macro_preview_view, name="preview"),
]
