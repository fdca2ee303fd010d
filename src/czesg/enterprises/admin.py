from django.contrib import admin

from czesg.enterprises.models import Enterprise
from czesg.enterprises.signals import enterprises_changed


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "industry_code", "division_code", "park_key", "size_class", "listed")
    list_filter = ("size_class", "listed", "state_owned", "is_synthetic", "division_code")
    search_fields = ("name", "uscc", "stock_code")

    def save_model(self, request, obj, form, change):
        """Save, and tell the read models that show registry facts (the public profile)."""
        super().save_model(request, obj, form, change)
        enterprises_changed.send(Enterprise, enterprise_ids={obj.pk})
