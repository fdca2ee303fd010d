"""Accounts in the admin: every add, change and password change goes through the accounts'
actions (the same role and park checks, an audit entry each); accounts are deactivated, not
deleted, and memberships are kept on the enterprise's admin page (through the registry's actions)."""

from __future__ import annotations

import copy

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from czesg.accounts import actions
from czesg.accounts.models import Membership, Role, User
from czesg.engine.kernel.errors import CzesgError
from czesg.web.adminforms import ReadOnlyAdminMixin, add_refusal

# Sign-in attempts and their logs are evidence: shown, never edited or deleted by hand here.
for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        _base = type(admin.site.get_model_admin(_model))
        admin.site.unregister(_model)
        admin.site.register(_model, type(_base.__name__, (ReadOnlyAdminMixin, _base), {}))

# Permissions come from the role (czesg.accounts.permissions), not from Django's groups: a group
# edited here would be a write path around the actions, so the admin does not offer them.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


def _check_role_and_park(form) -> None:
    """Refuse, on the form, a role and park that the accounts' actions would refuse."""
    data = form.cleaned_data
    if "role" not in data:
        return
    try:
        actions.check_account(data["role"], data.get("park_key", ""))
    except CzesgError as exc:
        add_refusal(form, exc, "role")


class MembershipInline(admin.TabularInline):
    """A user's memberships, shown here and changed on the enterprise's admin page."""

    model = Membership
    extra = 0
    fields = ("enterprise", "role", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts: written only by ``create_account``, ``update_account`` and
    ``set_account_password``, by platform administrators."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role"), {"fields": ("role", "organisation", "park_key")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Role"), {"fields": ("role", "organisation", "park_key")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "role", "organisation", "park_key", "is_active")
    list_filter = ("role", "is_active")
    filter_horizontal = ()
    inlines = [MembershipInline]

    def _may_write(self, request) -> bool:
        return request.user.is_authenticated and request.user.role == Role.PLATFORM_ADMIN

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._may_write(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_write(request)

    def has_delete_permission(self, request, obj=None):
        return False  # an account is deactivated (is_active), so its audit history stays readable

    def get_inlines(self, request, obj):
        """Memberships are shown on an existing account only."""
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        """The admin's own form, which also refuses what the actions would refuse."""
        base = super().get_form(request, obj, **kwargs)

        class Form(base):  # type: ignore[misc, valid-type]
            def clean(self):
                data = super().clean()
                _check_role_and_park(self)
                return data

        Form.__name__ = base.__name__
        return Form

    def save_model(self, request, obj, form, change):
        """Create or change the account through the actions (an audit entry each)."""
        data = form.cleaned_data
        if change:
            changes = {f: data[f] for f in form.changed_data if f in actions.ACCOUNT_FIELDS}
            saved = actions.update_account(obj, changes, actor=request.user)
        else:
            fields = {f: data[f] for f in actions.ACCOUNT_FIELDS if f in data}
            password = data.get("password1") if data.get("set_usable_password", True) else None
            saved = actions.create_account(fields, password=password, actor=request.user)
        obj.pk = saved.pk
        obj.password = saved.password

    def save_formset(self, request, form, formset, change):
        """Nothing related is written here (memberships are read-only on this page)."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def user_change_password(self, request, id, form_url=""):
        """Django's password page, its save going through ``set_account_password``."""
        actor = request.user

        class PasswordForm(AdminPasswordChangeForm):
            def save(self, commit=True):
                usable = self.cleaned_data.get("set_usable_password", True)
                password = self.cleaned_data.get("password1") if usable else None
                return actions.set_account_password(self.user, password, actor=actor)

        page = copy.copy(self)
        page.change_password_form = PasswordForm
        return BaseUserAdmin.user_change_password(page, request, id, form_url)
