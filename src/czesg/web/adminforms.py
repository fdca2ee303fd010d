"""Helpers for admin forms whose saves go through the apps' actions."""

from __future__ import annotations

from django import forms

from czesg.engine.kernel.errors import CzesgError
from czesg.web.problems import user_message


def add_refusal(form: forms.BaseForm, exc: CzesgError, default_field: str | None = None) -> None:
    """Show an action's refusal on the form: on the field it names (or ``default_field``), in the
    active language."""
    field = exc.params.get("field") or default_field
    form.add_error(field if field in form.fields else None, user_message(exc))


class ReadOnlyAdminMixin:
    """An admin that lists and shows rows but never adds, changes or deletes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
