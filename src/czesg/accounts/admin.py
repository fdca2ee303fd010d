from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from czesg.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["enterprise"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role"), {"fields": ("role", "organisation", "park_key")}),
    )
    list_display = ("username", "role", "organisation", "park_key", "is_active")
    list_filter = ("role", "is_active")
    inlines = [MembershipInline]
