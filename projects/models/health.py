"""Stored project health: see programmes.models.HealthRecord."""

from django.db import models
from django.db.models import Q

from programmes.models import HealthRecord
from projects.models.delivery import Project


class ProjectHealth(HealthRecord):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="health_records")

    class Meta(HealthRecord.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(is_current=True),
                name="one_current_health_per_project",
            )
        ]
        indexes = [models.Index(fields=["project", "-taken_at"])]
