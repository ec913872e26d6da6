"""Running the health jobs in the test's own transaction, as the workers would."""

from django.utils import timezone

from portfolio.health import rollup
from portfolio.health.models import HealthRequest

ORDER = (HealthRequest.Subject.PROJECT, HealthRequest.Subject.PROGRAMME, "portfolio")


def run_queued_jobs() -> None:
    """What the workers do once the writes commit: every pending request, children first,
    until none is left (a job may ask for its parent)."""
    for _ in range(10):
        pending = sorted(
            HealthRequest.objects.values_list("subject", "subject_id"),
            key=lambda row: (ORDER.index(row[0]), row[1]),
        )
        if not pending:
            return
        for subject, subject_id in pending:
            rollup.recompute_requested(subject, subject_id, timezone.localdate())
    raise AssertionError("the jobs never settled")
