from django.urls import path

from tickets.workspace import (
    canned_views,
    export,
    forward_views,
    language_views,
    merge_views,
    new_ticket,
    new_ticket_fields,
    ticket_views,
    views,
)

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("nav/", views.nav_counts, name="nav"),
    path("queues/<slug:view>/", views.queue, name="queue"),
    path("queues/<slug:view>/export.csv", export.queue_export, name="queue_export"),
    path("views/<int:view_id>/", views.saved_view, name="saved_view"),
    path("views/<int:view_id>/export.csv", export.saved_view_export, name="saved_view_export"),
    path("views/save/", views.saved_view_create, name="saved_view_create"),
    path("views/<int:view_id>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("search/", views.search_page, name="search"),
    path("availability/", views.availability, name="availability"),
    path("availability/heartbeat/", views.availability_heartbeat, name="availability_heartbeat"),
    path("bulk/", views.bulk, name="bulk"),
    path("tickets/new/", new_ticket.new_ticket, name="new_ticket"),
    path("tickets/new/requesters/", new_ticket.requester_options, name="new_ticket_requesters"),
    path(
        "tickets/new/form-fields/",
        new_ticket_fields.new_ticket_form_fields,
        name="new_ticket_form_fields",
    ),
    path("tickets/<int:ticket_id>/", ticket_views.ticket_detail, name="ticket"),
    path(
        "tickets/<int:ticket_id>/edit/<slug:field>/", ticket_views.ticket_edit, name="ticket_edit"
    ),
    path(
        "tickets/<int:ticket_id>/fields/<slug:key>/",
        ticket_views.ticket_field_edit,
        name="ticket_field_edit",
    ),
    path("tickets/<int:ticket_id>/send/", ticket_views.ticket_send, name="ticket_send"),
    path("tickets/<int:ticket_id>/timeline/", ticket_views.ticket_timeline, name="ticket_timeline"),
    path("tickets/<int:ticket_id>/presence/", ticket_views.ticket_presence, name="ticket_presence"),
    path("tickets/<int:ticket_id>/merge/", merge_views.ticket_merge_view, name="ticket_merge"),
    path(
        "tickets/<int:ticket_id>/messages/<int:message_id>/forward/",
        forward_views.message_forward_view,
        name="message_forward",
    ),
    path(
        "attachments/<uuid:attachment_id>/",
        ticket_views.attachment_download,
        name="attachment",
    ),
    path("settings/language/", language_views.language_view, name="language"),
    path("settings/canned/", canned_views.canned_list, name="canned_list"),
    path("settings/canned/save/", canned_views.canned_save_view, name="canned_save"),
    path(
        "settings/canned/<int:canned_id>/delete/",
        canned_views.canned_delete_view,
        name="canned_delete",
    ),
]
