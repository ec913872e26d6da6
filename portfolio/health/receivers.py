"""The health engine's answers to the signals of the layers below it."""

from collections.abc import Iterable
from typing import Any

from portfolio.health.models import HealthRequest
from portfolio.health.requests import health_request


def request_recomputation(
    sender: object,
    *,
    projects: Iterable[int] = (),
    programmes: Iterable[int] = (),
    portfolios: Iterable[int] = (),
    **kwargs: Any,
) -> None:
    """`health_inputs_changed`: one coalesced request per subject named."""
    for subject, ids in (
        (HealthRequest.Subject.PROJECT, projects),
        (HealthRequest.Subject.PROGRAMME, programmes),
        (HealthRequest.Subject.PORTFOLIO, portfolios),
    ):
        for subject_id in sorted(set(ids)):
            health_request(subject=subject, subject_id=subject_id)
