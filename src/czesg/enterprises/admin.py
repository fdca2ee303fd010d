from django.contrib import admin

from czesg.enterprises.models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "industry_code", "division_code", "park_key", "size_class", "listed")
    list_filter = ("size_class", "listed", "state_owned", "is_synthetic", "division_code")
    search_fields = ("name", "uscc", "stock_code")
