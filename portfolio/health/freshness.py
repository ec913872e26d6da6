"""How fresh stored health is: whether a subject waits for a recomputation, and how far a
portfolio's latest policy change has reached (every subject it asked for recomputed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio.health.models import HealthRequest
from portfolio.health.requests import health_pending
from programmes.models import Portfolio

Subject = HealthRequest.Subject


def is_recomputing(subject: str, subject_id: int) -> bool:
    return HealthRequest.objects.filter(subject=subject, subject_id=subject_id).exists()


@dataclass(frozen=True)
class PolicyReach:
    portfolio: Portfolio
    subjects: int
    pending: int
    policy_saved_at: datetime | None

    @property
    def reached_everything(self) -> bool:
        return self.pending == 0


def policy_reach(portfolio: Portfolio) -> PolicyReach:
    """How many of the portfolio's subjects still wait for a recomputation (a policy change
    asks for all of them), and when the policy was last saved."""
    subjects: dict[str, list[int]] = {
        Subject.PROJECT: list(portfolio.projects.values_list("pk", flat=True)),
        Subject.PROGRAMME: list(portfolio.programmes.values_list("pk", flat=True)),
        Subject.PORTFOLIO: [portfolio.pk],
    }
    saved = portfolio.policy.history.values_list("history_date", flat=True).first()
    return PolicyReach(
        portfolio=portfolio,
        subjects=sum(len(ids) for ids in subjects.values()),
        pending=health_pending(subjects),
        policy_saved_at=saved,
    )
