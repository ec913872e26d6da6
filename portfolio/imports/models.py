"""Imports: a saved column mapping, and one uploaded file on its way in.

The uploaded bytes live in the database (not on a local disk) so that whichever Celery
worker picks the job up can read them, on any machine, with no shared media volume.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

LEVELS = ("portfolios", "programmes", "projects", "reports")


class ImportMapping(models.Model):
    """Which column of a file feeds which field, saved by name for the next file."""

    class CostUnit(models.TextChoices):
        UNITS = "units", "Currency units (e.g. dollars)"
        THOUSANDS = "thousands", "Thousands"
        MILLIONS = "millions", "Millions"

    name = models.CharField(max_length=100, unique=True)
    columns = models.JSONField(default=dict, help_text="Target field key -> column header")
    cost_unit = models.CharField(max_length=10, choices=CostUnit, default=CostUnit.UNITS)
    reading = models.JSONField(
        default=dict,
        blank=True,
        help_text="How files are read: encoding, delimiter, sheet, date and money "
        "conventions, placeholder words, extra columns (see imports.options)",
    )
    options = models.JSONField(
        default=dict,
        blank=True,
        help_text="How rows are matched and recorded (imports.options.ImportOptions)",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "portfolio_importmapping"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def claim(self, pk: int, *, from_statuses: list[str], to_status: str, **changes: Any) -> bool:
        """Move a job between statuses with one conditional UPDATE; False if someone else did.

        Two clicks on "Commit", or a job delivered twice, must not both win.
        """
        now = timezone.now()
        return bool(
            self.filter(pk=pk, status__in=from_statuses).update(
                status=to_status, updated_at=now, **changes
            )
        )


class ImportJob(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Being prepared"
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel workbook"

    filename = models.CharField(max_length=255)
    data = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(default=0)
    file_format = models.CharField(max_length=4, choices=Format)
    encoding = models.CharField(max_length=40, blank=True, help_text="How a CSV was decoded")
    headers = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(default=0)
    mapping = models.ForeignKey(
        ImportMapping, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    columns = models.JSONField(default=dict, help_text="Target field key -> column header")
    cost_unit = models.CharField(
        max_length=10, choices=ImportMapping.CostUnit, default=ImportMapping.CostUnit.UNITS
    )
    reading = models.JSONField(default=dict, blank=True, help_text="As ImportMapping.reading")
    options = models.JSONField(default=dict, blank=True, help_text="As ImportMapping.options")
    period = models.DateField(
        null=True, blank=True, help_text="The reporting date of the whole file (a return)"
    )
    partial = models.BooleanField(
        default=False, help_text="Import the valid rows and leave out the rejected ones"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    counts = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    row_errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        db_table = "portfolio_importjob"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")),
                name="import_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk}: {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("imports:job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def outcomes(self) -> list[tuple[str, dict[str, int]]]:
        """The counts in reading order (PostgreSQL's jsonb does not keep key order)."""
        return [(level, self.counts[level]) for level in LEVELS if level in self.counts]
