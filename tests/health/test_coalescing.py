"""The programme's and portfolio's coalescing window: leading edge at once, the rest after."""

from django.core.cache import cache

from portfolio.health.requests import COALESCE_SECONDS, coalescing_delay


def test_a_quiet_programme_runs_at_once_and_a_second_request_waits_out_the_window() -> None:
    cache.delete("health:leading:programme:4242")

    assert coalescing_delay("programme", 4242) == 0.0
    assert coalescing_delay("programme", 4242) == COALESCE_SECONDS["programme"]
    # Another programme is quiet still: windows are per subject.
    cache.delete("health:leading:programme:4243")
    assert coalescing_delay("programme", 4243) == 0.0


def test_projects_never_wait() -> None:
    assert coalescing_delay("project", 1) == 0.0
    assert coalescing_delay("project", 1) == 0.0
