from django.urls import path

from tickets.mail import views

app_name = "mail"

urlpatterns = [
    path("inbound/email/", views.inbound_email_endpoint, name="inbound_endpoint"),
    path("mail/inbound/", views.inbound_list, name="inbound_list"),
    path("mail/inbound/<int:inbound_id>/", views.inbound_original, name="inbound_original"),
    path("mail/inbound/<int:inbound_id>/retry/", views.inbound_retry_view, name="inbound_retry"),
    path("mail/inbound/<int:inbound_id>/accept/", views.inbound_accept_view, name="inbound_accept"),
    path("mail/tickets/<int:ticket_id>/delivery/", views.ticket_delivery, name="ticket_delivery"),
    path("mail/outbound/<int:email_id>/resend/", views.outbound_resend, name="outbound_resend"),
    path("mail/messages/<int:message_id>/reviewed/", views.message_reviewed, name="reviewed"),
    path("mail/messages/<int:message_id>/confirm/", views.message_confirm, name="confirm"),
    path("mail/attachments/<uuid:attachment_id>/", views.attachment, name="attachment"),
]
