"""A board pack: a PDF of a portfolio or a programme as it stood at the end of a day, built by
a worker (`portfolio.boardpacks.services.board_pack_build`).

The PDF is kept in the row (a binary field), not under MEDIA: whichever web process serves
the download and whichever worker built it may run on different machines with no shared
volume (the importer keeps its uploads in the database for the same reason), and a pack is
a few hundred kilobytes. Lists defer the column.
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from programmes.models import Portfolio, Programme, sees_everything


class BoardPackQuerySet(models.QuerySet["BoardPack"]):
    def visible_to(self, user: Any) -> Self:
        """A pack is its requester's (the PMO sees every one): it shows what they may see."""
        if sees_everything(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)

    def claim(self, pk: int, *, from_status: str, to_status: str, **changes: Any) -> bool:
        """Move a pack between statuses with one conditional UPDATE; False if someone else
        did (a job delivered twice builds once)."""
        return bool(self.filter(pk=pk, status=from_status).update(status=to_status, **changes))


class BoardPack(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Being built"
        SUCCEEDED = "succeeded", "Ready"
        FAILED = "failed", "Failed"

    portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.CASCADE, related_name="board_packs"
    )
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="board_packs"
    )
    as_of = models.DateField(help_text="The pack shows everything as it stood at the end of it")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_packs"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = BoardPackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(portfolio__isnull=True, programme__isnull=False)
                | Q(portfolio__isnull=False, programme__isnull=True),
                name="board_pack_of_a_portfolio_or_a_programme",
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")),
                name="board_pack_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Board pack of {self.subject_name} as of {self.as_of:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("boardpacks:detail", args=[self.pk])

    def download_url(self) -> str:
        return reverse("boardpacks:download", args=[self.pk])

    @property
    def subject(self) -> Portfolio | Programme:
        subject = self.portfolio if self.portfolio_id is not None else self.programme
        assert subject is not None  # the check constraint
        return subject

    @property
    def subject_name(self) -> str:
        return self.subject.name

    @property
    def kind(self) -> str:
        return "Portfolio" if self.portfolio_id is not None else "Programme"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    @property
    def filename(self) -> str:
        code = getattr(self.subject, "code", "") or self.subject.name
        safe = "".join(c if c.isalnum() else "-" for c in code).strip("-").lower()
        return f"board-pack-{safe or self.pk}-{self.as_of.isoformat()}.pdf"
