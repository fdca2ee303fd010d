from django.contrib import admin

from czesg.enterprises.models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "industry_code", "division_code", "park_key", "size_class", "listed")
    list_filter = ("size_class", "listed", "state_owned", "is_synthetic", "division_code")
    search_fields = ("name", "uscc", "stock_code")

    def save_model(self, request, obj, form, change):
        """Save, then rebuild the enterprise's public profile, which shows its registry facts."""
        from czesg.portal.profiles import refresh_profiles

        super().save_model(request, obj, form, change)
        refresh_profiles([obj.pk])
