"""The registry in the admin: every add and change goes through the registry's actions (the same
credit code and city-profile checks as the pages, and the same audit entry); no deletion here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from czesg.accounts.models import Membership, Role
from czesg.accounts.permissions import is_government
from czesg.engine.kernel.errors import CzesgError, IdentifierError, StateConflict, gettext_noop
from czesg.enterprises import actions
from czesg.enterprises.models import Enterprise
from czesg.web.adminforms import add_refusal
from czesg.web.display import park_label
from czesg.web.problems import user_message


class EnterpriseAdminForm(forms.ModelForm):
    """The registry facts, checked by the registry's own rules before anything is saved."""

    class Meta:
        model = Enterprise
        fields = actions.FACT_FIELDS

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            facts = actions.check_facts(actions.EnterpriseFacts(
                **{name: data.get(name, "") for name in actions.FACT_FIELDS}))
            if Enterprise.objects.filter(uscc=facts.uscc).exclude(pk=self.instance.pk).exists():
                raise StateConflict(
                    gettext_noop("An enterprise with credit code %(uscc)s is already registered."),
                    uscc=facts.uscc)
        except CzesgError as exc:
            add_refusal(self, exc, "uscc" if isinstance(exc, (IdentifierError, StateConflict))
                        else None)
            return data
        self.facts = facts
        return data


class MembershipForm(forms.ModelForm):
    """A membership row, refused on the page when the user is not an enterprise user."""

    class Meta:
        model = Membership
        fields = ("user", "role")

    def clean(self):
        data = super().clean()
        user = data.get("user")
        if user is not None and user.role != Role.ENTERPRISE:
            self.add_error("user", gettext("Only enterprise users can be members of an enterprise."))
        return data


class MembershipInline(admin.TabularInline):
    """An enterprise's members; added, changed and removed through the registry's actions."""

    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["user"]
    fields = ("user", "role")


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    """Registry entries: written only by ``register_enterprise`` and ``update_enterprise``."""

    form = EnterpriseAdminForm
    inlines = [MembershipInline]
    list_display = ("name", "uscc", "industry_code", "division_code", "park", "size_class", "listed")
    list_filter = ("size_class", "listed", "state_owned", "is_synthetic", "division_code")
    search_fields = ("name", "uscc", "stock_code")

    @admin.display(description=_("park"), ordering="park_key")
    def park(self, enterprise: Enterprise) -> str:
        """The enterprise's park by its name in the active language."""
        return park_label(enterprise.park_key)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_government(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_government(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # an enterprise leaves the registry by no action: its history stays

    def save_model(self, request, obj, form, change):
        """Register or update through the actions, then point the admin at the saved row."""
        if change:
            saved = actions.update_enterprise(obj, form.facts, actor=request.user)
        else:
            saved = actions.register_enterprise(form.facts, actor=request.user)
        obj.pk = saved.pk
        for name in actions.FACT_FIELDS:
            setattr(obj, name, getattr(saved, name))

    def save_formset(self, request, form, formset, change):
        """Memberships change through ``add_member`` and ``remove_member`` (audited)."""
        enterprise = form.instance
        for inline_form in formset.forms:
            if not hasattr(inline_form, "cleaned_data") or not inline_form.cleaned_data:
                continue
            data = inline_form.cleaned_data
            try:
                if data.get("DELETE"):
                    if inline_form.instance.pk:
                        actions.remove_member(enterprise, inline_form.instance.user,
                                              actor=request.user)
                elif inline_form.has_changed() or not inline_form.instance.pk:
                    if inline_form.instance.pk and "user" in inline_form.changed_data:
                        before = Membership.objects.select_related("user").get(
                            pk=inline_form.instance.pk)
                        actions.remove_member(enterprise, before.user, actor=request.user)
                    actions.add_member(enterprise, data["user"], role=data["role"],
                                       actor=request.user)
            except CzesgError as exc:
                messages.error(request, user_message(exc))
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
