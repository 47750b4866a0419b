from django.contrib import admin

from kb.models import Category, CategoryTranslation, KbSettings, Section, SectionTranslation


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


class CategoryTranslationInline(admin.TabularInline):
    model = CategoryTranslation
    extra = 0
    verbose_name = "name in another language"
    verbose_name_plural = "names in other languages"


class SectionTranslationInline(CategoryTranslationInline):
    model = SectionTranslation


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryTranslationInline, SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    """A section on its own page, for its names in other languages (the category's page lists
    its sections inline)."""

    list_display = ["name", "category", "slug", "position"]
    list_filter = ["category"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SectionTranslationInline]
