"""Read models of the public portal, maintained by the actions that change what they show."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicProfile(models.Model):
    """An enterprise's public profile, built ahead of requests as the exact JSON the API serves.

    The profile shows registry facts and the latest published version of each year's disclosure,
    so it changes only when an enterprise is registered or edited and when a disclosure is
    published; the actions that do so rebuild it in the same transaction
    (:func:`czesg.portal.profiles.refresh_profiles`). A request is then one indexed read.
    """

    enterprise = models.OneToOneField(
        "enterprises.Enterprise", on_delete=models.CASCADE, primary_key=True,
        related_name="public_profile", verbose_name=_("enterprise"),
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    body = models.TextField(_("profile (JSON)"))
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("public profile")
        verbose_name_plural = _("public profiles")

    def __str__(self) -> str:
        return self.uscc
