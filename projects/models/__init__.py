"""The delivery layer's models, in two modules: projects and what they hold (delivery), and
the weekly status reports (reporting) and the reminders chasing them (reminders). Import them
from here."""

from projects.models.baselines import Baseline, BaselineMilestone, Comparison, ComparisonRow
from projects.models.delivery import (
    Allocation,
    AllocationQuerySet,
    Dependency,
    Issue,
    Milestone,
    Project,
    ProjectQuerySet,
    RegisterItem,
    Risk,
    Totals,
)
from projects.models.forecasts import DerivedForecast
from projects.models.money import MoneyKind, PhasedAmount, ProjectPhasing
from projects.models.reminders import ReminderLog
from projects.models.reporting import DIMENSIONS, RATED, StatusReport, with_reporting

__all__ = [
    "DIMENSIONS",
    "RATED",
    "Allocation",
    "AllocationQuerySet",
    "Baseline",
    "BaselineMilestone",
    "Comparison",
    "ComparisonRow",
    "Dependency",
    "DerivedForecast",
    "Issue",
    "Milestone",
    "MoneyKind",
    "PhasedAmount",
    "Project",
    "ProjectPhasing",
    "ProjectQuerySet",
    "RegisterItem",
    "ReminderLog",
    "Risk",
    "StatusReport",
    "Totals",
    "with_reporting",
]
