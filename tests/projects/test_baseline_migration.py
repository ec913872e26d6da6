"""The data migration of projects/migrations/0011: every project that had only the baseline
fields gets baseline 1, "Original", holding them."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from projects.models import Baseline
from tests.conftest import Cast
from tests.factories import MilestoneFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("projects.migrations.0011_baselines")


def test_the_migration_makes_an_original_baseline_of_every_project(cast: Cast) -> None:
    MilestoneFactory(project=cast.project_a1, name="Design", baseline_date=date(2026, 4, 1))
    MilestoneFactory(project=cast.project_a1, name="Build", baseline_date=date(2026, 8, 3))
    migration.original_baselines(apps, None)
    baselines = Baseline.objects.all()
    assert {b.project for b in baselines} == {
        cast.project_a1,
        cast.project_a1_sibling,
        cast.project_a2,
        cast.project_b1,
    }
    original = baselines.get(project=cast.project_a1)
    assert (original.number, original.name) == (1, "Original")
    assert (original.baseline_start, original.baseline_finish) == (
        cast.project_a1.baseline_start,
        cast.project_a1.baseline_finish,
    )
    assert sorted(original.milestones.values_list("baseline_date", flat=True)) == [
        date(2026, 4, 1),
        date(2026, 8, 3),
    ]


def test_the_migration_leaves_a_project_with_baselines_alone(cast: Cast) -> None:
    migration.original_baselines(apps, None)
    migration.original_baselines(apps, None)
    assert Baseline.objects.filter(project=cast.project_a1).count() == 1
