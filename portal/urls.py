from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("brand.css", views.brand_css, name="brand-css"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/<str:token>/", views.sign_in_confirm, name="sign-in-confirm"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("account/", views.account, name="account"),
    path("language/", views.language, name="language"),
    path("new/", views.ticket_new, name="new"),
    path("new/product-parts/", views.product_parts, name="product-parts"),
    path("new/form-fields/", views.form_fields, name="form-fields"),
    path("new/confirm/<str:token>/", views.submit_confirm, name="submit-confirm"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/submitted/", views.ticket_submitted, name="ticket-submitted"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<int:ticket_id>/solve/", views.ticket_solve, name="solve"),
    path("tickets/<int:ticket_id>/reopen/", views.ticket_reopen, name="reopen"),
    path("files/<uuid:attachment_id>/", views.attachment_download, name="attachment"),
]
