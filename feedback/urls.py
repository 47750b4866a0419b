from django.urls import path

from feedback.views import csat, items, links

app_name = "feedback"

urlpatterns = [
    path("", items.item_list, name="item_list"),
    path("items/new/", items.item_create, name="item_create"),
    path("items/<int:item_id>/", items.item_detail, name="item_detail"),
    path("items/<int:item_id>/edit/", items.item_edit, name="item_edit"),
    path("items/<int:item_id>/status/", items.item_change_status, name="item_status"),
    path("items/<int:item_id>/notify/", items.item_notify, name="item_notify"),
    path("items/<int:item_id>/merge/", items.item_merge, name="item_merge"),
    path("tickets/<int:ticket_id>/links/", links.ticket_links, name="ticket_links"),
    path(
        "tickets/<int:ticket_id>/links/search/",
        links.ticket_links_search,
        name="ticket_links_search",
    ),
    path("tickets/<int:ticket_id>/links/add/", links.ticket_link_add, name="ticket_link_add"),
    path(
        "tickets/<int:ticket_id>/links/new-item/",
        links.ticket_link_new_item,
        name="ticket_link_new_item",
    ),
    path("links/<int:link_id>/remove/", links.ticket_link_remove, name="ticket_link_remove"),
    path("csat/<str:signed>/", csat.csat_answer, name="csat_answer"),
    path("csat/ticket/<int:ticket_id>/", csat.csat_portal, name="csat_portal"),
]
