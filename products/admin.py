from django.contrib import admin

from products.models import Component, Product, Version


class VersionInline(admin.TabularInline):
    model = Version
    extra = 0


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "manager", "active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [VersionInline, ComponentInline]
