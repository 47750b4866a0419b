from django.contrib import admin

from support.paginators import EstimatedCountPaginator
from tickets.models import Attachment, Message, Tag, Ticket, TicketEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fk_name = "ticket"
    fields = ["kind", "author_user", "author_customer", "body_text", "created_at"]


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["at", "kind", "actor", "field", "old", "new"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: changes go through the agent workspace and the services, which record events."""

    list_display = ["id", "subject", "status", "priority", "requester", "assignee", "updated_at"]
    list_filter = ["status", "priority", "type", "channel"]
    search_fields = ["subject", "requester__email"]
    list_select_related = ["requester", "assignee"]
    inlines = [MessageInline, EventInline]
    # No COUNT(*) over every ticket on each view (see support/paginators.py, docs/benchmarks.md).
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "ticket", "size", "content_type", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
