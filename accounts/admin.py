from django.contrib import admin

from accounts.models import Team, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "role", "availability", "is_active"]
    list_filter = ["role", "availability", "is_active"]
    search_fields = ["email", "name"]
    exclude = ["password", "last_login"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "lead"]
    filter_horizontal = ["members"]
    search_fields = ["name"]
