"""Consent to share non-public data, the record of every access under it, and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a grant shares beyond the published disclosures everyone can read."""

    DISCLOSURES = "disclosures", _("All disclosure versions, drafts included")
    EVIDENCE = "evidence", _("Evidence files")
    SCORES = "scores", _("Rating and green score explanations")
    RECORDS = "records", _("Government records held about the enterprise")


class GrantQuerySet(models.QuerySet):
    """Grants, with the ones in force today."""

    def active(self, on=None) -> GrantQuerySet:
        """Grants not revoked and not expired on the given date (today by default)."""
        day = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, valid_until__gte=day)

    def for_grantee(self, user, scope: str | None = None) -> GrantQuerySet:
        """Active grants made to the user, optionally only those covering a scope."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        grants = self.active().filter(grantee=user)
        if scope:
            if scope not in Scope.values:
                raise ValueError(f"unknown scope {scope!r}")
            grants = grants.filter(**{f"share_{scope}": True})
        return grants


class Grant(models.Model):
    """An enterprise's consent that a named bank or buyer may read some of its non-public data."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="grants"
    )
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants_received"
    )
    share_disclosures = models.BooleanField(Scope.DISCLOSURES.label, default=True)
    share_evidence = models.BooleanField(Scope.EVIDENCE.label, default=False)
    share_scores = models.BooleanField(Scope.SCORES.label, default=True)
    share_records = models.BooleanField(Scope.RECORDS.label, default=False)
    purpose = models.CharField(_("purpose"), max_length=300)
    valid_until = models.DateField(_("valid until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("data-sharing consent")
        verbose_name_plural = _("data-sharing consents")

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.grantee}"

    def covers(self, scope: str) -> bool:
        return bool(getattr(self, f"share_{scope}"))

    @property
    def scopes(self) -> list[str]:
        return [s for s in Scope.values if self.covers(s)]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.valid_until >= timezone.localdate()


class AccessLog(models.Model):
    """One read of consented data by a grantee, shown to the enterprise that consented."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    resource = models.CharField(_("what was read"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10)  # "page" or "api"

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access under consent")
        verbose_name_plural = _("accesses under consent")

    def __str__(self) -> str:
        return f"{self.user} read {self.resource}"


class TokenScope(models.TextChoices):
    """What an API token may do."""

    READ = "read", _("Read what the token's owner may read")
    WRITE = "write", _("Change drafts the token's owner manages")


# The roles with something to write through the API: enterprises their disclosures, government
# users rating runs and records. Banks, verifiers and park administrators only read.
TOKEN_WRITE_ROLES = ("enterprise", "government")


class ApiToken(models.Model):
    """A bearer token for the API; only its hash is stored, the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        return "czesg_" + secrets.token_urlsafe(32)

    @property
    def effective_scopes(self) -> list[str]:
        """The scopes the token grants today: write only while its owner's role writes
        (:data:`TOKEN_WRITE_ROLES`); a token issued before that rule, or whose owner changed
        role, reads."""
        if self.user.role not in TOKEN_WRITE_ROLES:
            return [s for s in self.scopes if s != TokenScope.WRITE]
        return list(self.scopes)

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
