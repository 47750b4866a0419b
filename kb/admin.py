from django.contrib import admin

from kb.models import Category, KbSettings, Section


@admin.register(KbSettings)
class KbSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "sign_in_required", "confirmation_articles"]

    def has_add_permission(self, request) -> bool:
        return not KbSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SectionInline(admin.TabularInline):
    model = Section
    prepopulated_fields = {"slug": ["name"]}
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SectionInline]
