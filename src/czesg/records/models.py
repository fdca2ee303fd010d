"""Government records: the facts government departments hold about an enterprise in a year.

Penalties, accidents, credit grades and colours, and certifications, imported by government
users (:mod:`czesg.records.actions`). The ratings read them as rating inputs; the data adapters
of later issues write them here too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    """What a government record says about an enterprise in a year."""

    ENVIRONMENTAL_PENALTY = "environmental_penalty", _("Environmental administrative penalty")
    SAFETY_ACCIDENT = "safety_accident", _("Work-safety accident")
    TAX_CREDIT_GRADE = "tax_credit_grade", _("Tax credit grade")
    ENVIRONMENTAL_CREDIT_COLOUR = "environmental_credit_colour", _("Environmental credit colour")
    CERTIFICATION = "certification", _("Green certification")


# Kinds of which an enterprise has at most one record a year.
SINGLE_KINDS = (RecordKind.TAX_CREDIT_GRADE, RecordKind.ENVIRONMENTAL_CREDIT_COLOUR)


class GovernmentRecord(models.Model):
    """One fact a government department holds about an enterprise in a year (a penalty, an
    accident, a credit grade or colour, a certification), imported by a government user."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="government_records"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    count = models.PositiveIntegerField(
        _("count"), default=1,
        help_text=_("Number of penalties or accidents the record stands for."),
    )
    amount = models.FloatField(_("amount (10,000 CNY)"), null=True, blank=True)
    key = models.CharField(
        _("grade, colour, certification or severity"), max_length=40, blank=True
    )
    source = models.CharField(_("source (department, document)"), max_length=300)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"))
    # Provenance when an adapter read the record from a named source's file (empty for records
    # entered one by one or through the older CSV import).
    record_source = models.ForeignKey(
        "RecordSource", on_delete=models.PROTECT, null=True, blank=True,
        related_name="government_records", verbose_name=_("record source"))
    imported_in = models.ForeignKey(
        "RecordImport", on_delete=models.PROTECT, null=True, blank=True,
        related_name="government_records", verbose_name=_("import"))
    retrieved_at = models.DateTimeField(_("retrieved at"), null=True, blank=True)
    document = models.CharField(_("decision number"), max_length=120, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["enterprise_id", "year", "kind", "id"]
        verbose_name = _("government record")
        verbose_name_plural = _("government records")
        indexes = [models.Index(fields=["year", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "kind"],
                condition=models.Q(kind__in=[k.value for k in SINGLE_KINDS]),
                name="government_record_one_grade_a_year",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "year", "kind", "key"],
                condition=models.Q(kind=RecordKind.CERTIFICATION),
                name="government_record_one_certification_a_year",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "kind", "document"], condition=~models.Q(document=""),
                name="government_record_one_per_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.kind} {self.key or self.count}"


# --------------------------------------------------------------------------------------------
# Value records: figures about an enterprise that come from a named source, not its disclosure


class SourceKind(models.TextChoices):
    """Where a recorded figure comes from (issue 14: records beside disclosures)."""

    PUBLISHED_REPORT = "published_report", _("Published report")
    EXCHANGE_FILING = "exchange_filing", _("Exchange filing")
    GOVERNMENT_REGISTER = "government_register", _("Government register")
    UTILITY = "utility", _("Utility")
    CALCULATION = "calculation", _("Platform calculation")


class Visibility(models.TextChoices):
    """Who may read a record: everyone, or the enterprise and whom it consents to."""

    PUBLIC = "public", _("Public")
    RESTRICTED = "restricted", _("Restricted to the enterprise and its consented readers")


class RecordSource(models.Model):
    """A named source of records: a utility, a register, an exchange, a published report series.

    Its visibility is the default of its records (a utility's meter data is the enterprise's and
    is shared only by its consent; a penalty decision is public)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=SourceKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    licence = models.CharField(_("licence or terms of use"), max_length=200, blank=True)
    url = models.URLField(_("address"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("record source")
        verbose_name_plural = _("record sources")

    def __str__(self) -> str:
        return self.code


class RecordImport(models.Model):
    """One file read into the records by an adapter: what it added, changed and refused."""

    source = models.ForeignKey(RecordSource, on_delete=models.PROTECT, related_name="imports")
    adapter = models.CharField(_("adapter"), max_length=40)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    problems = models.JSONField(_("refused rows"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("record import")
        verbose_name_plural = _("record imports")

    def __str__(self) -> str:
        return f"{self.source_id} {self.file_name}"


class Record(models.Model):
    """One figure about an enterprise in a year from a named source, immutable once written.

    A correction is a new version (``supersedes`` the old one, with a ``reason``); only the
    newest version of a (enterprise, year, indicator, source, subject) is ``current``. The
    ``subject`` names the installation, meter account or document line the figure is about when a
    source reports below the enterprise (one figure per installation-year); the enterprise-year
    value is the sum over the current records' subjects."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="records"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    indicator_code = models.CharField(_("indicator"), max_length=24)
    subject = models.CharField(_("installation, account or line"), max_length=80, blank=True)
    value_number = models.FloatField(_("value (canonical unit)"), null=True, blank=True)
    value_text = models.CharField(_("text value"), max_length=200, blank=True)
    unit = models.CharField(_("canonical unit"), max_length=24, blank=True)
    entered_value = models.CharField(_("value as printed"), max_length=64, blank=True)
    entered_unit = models.CharField(_("unit as printed"), max_length=24, blank=True)
    source = models.ForeignKey(RecordSource, on_delete=models.PROTECT, related_name="records")
    document = models.CharField(_("document"), max_length=300, blank=True)
    page = models.PositiveIntegerField(_("page"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    retrieved_at = models.DateTimeField(_("retrieved at"))
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    method = models.CharField(_("method"), max_length=24)
    confidence = models.CharField(_("confidence"), max_length=60)
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    reason = models.CharField(_("reason for correction"), max_length=300, blank=True)
    current = models.BooleanField(_("current"), default=True)
    imported_in = models.ForeignKey(
        RecordImport, on_delete=models.PROTECT, null=True, blank=True, related_name="records"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["enterprise_id", "year", "indicator_code", "subject", "-version"]
        verbose_name = _("record")
        verbose_name_plural = _("records")
        indexes = [
            models.Index(fields=["enterprise", "year"], name="record_enterprise_year"),
            models.Index(fields=["year", "indicator_code"], name="record_year_indicator"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "indicator_code", "source", "subject"],
                condition=models.Q(current=True),
                name="record_one_current_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.indicator_code} v{self.version}"


class AccountLink(models.Model):
    """Which enterprise a source's account belongs to (a State Grid electricity account, a gas
    or water customer number, an installation of an emissions register): the mapping table that
    lets a utility's file, keyed by account, reach the enterprise database keyed by USCC."""

    source = models.ForeignKey(RecordSource, on_delete=models.PROTECT, related_name="accounts")
    account = models.CharField(_("account"), max_length=80)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="record_accounts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source_id", "account"]
        verbose_name = _("account link")
        verbose_name_plural = _("account links")
        constraints = [
            models.UniqueConstraint(fields=["source", "account"], name="account_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.account}"


class UploadState(models.TextChoices):
    """Where a file uploaded for a background import stands."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RecordUpload(models.Model):
    """A large file uploaded on a source's page, read by a background task; its import, once
    done, is the :class:`RecordImport` it points to (the file's bytes are dropped then)."""

    source = models.ForeignKey(RecordSource, on_delete=models.PROTECT, related_name="uploads")
    adapter = models.CharField(_("adapter"), max_length=40)
    file_name = models.CharField(_("file name"), max_length=200)
    data = models.BinaryField(default=b"")
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    state = models.CharField(_("state"), max_length=8, choices=UploadState.choices,
                             default=UploadState.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.ForeignKey(RecordImport, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    error = models.JSONField(_("error"), default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("record upload")
        verbose_name_plural = _("record uploads")

    def __str__(self) -> str:
        return f"{self.source_id} {self.file_name} {self.state}"

    @property
    def is_active(self) -> bool:
        """Whether the upload still waits or runs (its page row polls for news)."""
        return self.state in (UploadState.QUEUED, UploadState.RUNNING)
