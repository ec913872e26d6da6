"""How a project's budget and forecast are phased by month: a shape per project and kind
(spread evenly, along an S-curve, or entered month by month) and the entered months.

A project without a phasing row is spread evenly. Entered months need not add up to the
total: the difference is shown, never hidden (projects.money says how). Written only by
`projects.money.project_phasing_set`; both models keep their history (simple-history).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Self

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects.models.delivery import Project


class MoneyKind(models.TextChoices):
    BUDGET = "budget", "Budget"
    FORECAST = "forecast", "Forecast"


class PhasingQuerySet(models.QuerySet["ProjectPhasing"]):
    def of(self, project_ids: Iterable[int]) -> Self:
        return self.filter(project_id__in=list(project_ids))


class ProjectPhasing(models.Model):
    class Shape(models.TextChoices):
        EVEN = "even", "Spread evenly"
        S_CURVE = "s_curve", "S-curve"
        ENTERED = "entered", "Entered month by month"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phasings")
    kind = models.CharField(max_length=8, choices=MoneyKind)
    shape = models.CharField(max_length=8, choices=Shape, default=Shape.EVEN)
    # Saved on every change of the phasing, entered months included: the one save that
    # moves the page scopes showing the project's money (portfolio.health.scopes).
    updated_at = models.DateTimeField(auto_now=True)

    objects = PhasingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="one_phasing_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_kind_display()} {self.get_shape_display()}"


class PhasedAmountQuerySet(models.QuerySet["PhasedAmount"]):
    def of(self, project_ids: Iterable[int]) -> Self:
        return self.filter(project_id__in=list(project_ids)).order_by("project_id", "month")


class PhasedAmount(models.Model):
    """One entered month of a project's budget or forecast (the month's first day)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phased_amounts")
    kind = models.CharField(max_length=8, choices=MoneyKind)
    month = models.DateField(help_text="The first day of the month")
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    objects = PhasedAmountQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "kind", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "month"], name="one_amount_per_project_month"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="phased_amount_not_negative"),
            models.CheckConstraint(condition=Q(month__day=1), name="phased_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.kind} {self.month:%b %Y} {self.amount}"
