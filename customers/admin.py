from django.contrib import admin

from customers.models import Customer, Organization, OrganizationDomain


class DomainInline(admin.TabularInline):
    model = OrganizationDomain
    extra = 1


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name", "domains__domain"]
    inlines = [DomainInline]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "organization", "is_org_manager"]
    list_filter = ["is_org_manager"]
    search_fields = ["email", "name"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "user", "merged_into"]
