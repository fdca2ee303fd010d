"""The registries' pages: the five registries with their entry counts, one registry's entries
with the form to add one, and one entry to change or remove (government users and platform
administrators; everybody else signed in gets "not found", the public is sent to sign in).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from czesg.accounts.permissions import is_government
from czesg.engine.kernel.errors import CzesgError
from czesg.registries import actions
from czesg.registries.forms import registry_form
from czesg.web.problems import user_message


def _government_only(request: HttpRequest) -> None:
    if not is_government(request.user):
        raise Http404


@login_required
def registries(request: HttpRequest) -> HttpResponse:
    """The five registries with their entry counts."""
    _government_only(request)
    items = [
        {"key": spec.key, "title": spec.title, "target": spec.target,
         "count": spec.model.objects.visible_to(request.user).count()}
        for spec in actions.REGISTRIES.values()
    ]
    return render(request, "registries/registries.html", {"registries": items})


def _spec_or_404(key: str) -> actions.Registry:
    spec = actions.REGISTRIES.get(key)
    if spec is None:
        raise Http404
    return spec


@login_required
def registry(request: HttpRequest, key: str) -> HttpResponse:
    """One registry's entries and the form to add one."""
    _government_only(request)
    spec = _spec_or_404(key)
    form_class = registry_form(key)
    form = form_class()
    error = ""
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                actions.save_registry_entry(key, form.cleaned_data, actor=request.user)
            except CzesgError as exc:
                error = user_message(exc)
            else:
                messages.success(request, gettext("Entry added."))
                return redirect("registries:registry", key=key)
    entries = spec.model.objects.visible_to(request.user).select_related("entered_by")
    if "enterprise" in spec.fields:
        entries = entries.select_related("enterprise")
    columns = [spec.model._meta.get_field(name) for name in spec.fields]
    headers = [spec.date_label if c.name == "date" else c.verbose_name for c in columns]
    rows = [{"entry": e, "cells": [_cell(e, c) for c in columns]} for e in entries]
    return render(request, "registries/registry.html", {
        "spec": spec, "form": form, "rows": rows, "headers": headers, "error": error,
    })


def _cell(entry, field) -> Any:
    if field.choices:
        return getattr(entry, f"get_{field.name}_display")()
    value = getattr(entry, field.name)
    return "" if value is None else value


@login_required
def registry_entry(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """Change or remove one registry entry."""
    _government_only(request)
    spec = _spec_or_404(key)
    entry = spec.model.objects.visible_to(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    form_class = registry_form(key)
    form = form_class(instance=entry)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                actions.delete_registry_entry(key, entry, actor=request.user,
                                              reason=request.POST.get("reason", ""))
                messages.success(request, gettext("Entry removed."))
                return redirect("registries:registry", key=key)
            form = form_class(request.POST, instance=entry)
            if form.is_valid():
                actions.save_registry_entry(key, form.cleaned_data, actor=request.user,
                                            entry=entry)
                messages.success(request, gettext("Entry saved."))
                return redirect("registries:registry", key=key)
        except CzesgError as exc:
            error = user_message(exc)
    return render(request, "registries/registry_entry.html", {
        "spec": spec, "entry": entry, "form": form, "error": error,
    })
