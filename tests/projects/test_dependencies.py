"""The dependency graph stays acyclic: projects.services.dependency_create / _update."""

import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.models import Dependency, Project
from projects.services import dependency_create, dependency_cycle, dependency_update
from tests.concurrency import run_at_once
from tests.factories import DependencyFactory, MilestoneFactory, ProjectFactory


def projects(*names: str) -> list[Project]:
    return [ProjectFactory(name=name) for name in names]


def cycle_error(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    errors = excinfo.value.error_dict
    assert set(errors) == {"upstream"}
    [error] = errors["upstream"]
    assert error.code == "cycle"
    return str(error.message)


# One request at a time -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_dependency_between_two_projects_is_recorded() -> None:
    payments, accounts = projects("Payments", "Accounts")
    dependency = dependency_create(
        upstream=payments,
        downstream=accounts,
        kind=Dependency.Kind.START_TO_START,
        lag_days=5,
        description="Ledger API",
    )
    dependency.refresh_from_db()
    assert (dependency.upstream, dependency.downstream) == (payments, accounts)
    assert (dependency.kind, dependency.lag_days, dependency.description) == ("ss", 5, "Ledger API")


@pytest.mark.django_db
def test_a_dependency_that_closes_a_cycle_is_refused_naming_the_cycle() -> None:
    payments, accounts = projects("Payments", "Accounts")
    dependency_create(upstream=accounts, downstream=payments)
    with pytest.raises(ValidationError) as excinfo:
        dependency_create(upstream=payments, downstream=accounts)
    assert cycle_error(excinfo) == "This would create a cycle: Payments → Accounts → Payments"
    assert Dependency.objects.count() == 1


@pytest.mark.django_db
def test_a_longer_cycle_is_refused_naming_every_project_on_it() -> None:
    a, b, c = projects("Alpha", "Bravo", "Charlie")
    dependency_create(upstream=a, downstream=b)
    dependency_create(upstream=b, downstream=c)
    with pytest.raises(ValidationError) as excinfo:
        dependency_create(upstream=c, downstream=a)
    assert cycle_error(excinfo) == "This would create a cycle: Charlie → Alpha → Bravo → Charlie"


@pytest.mark.django_db
def test_a_diamond_is_not_a_cycle() -> None:
    a, b, c, d = projects("Alpha", "Bravo", "Charlie", "Delta")
    for upstream, downstream in [(a, b), (a, c), (b, d), (c, d)]:
        dependency_create(upstream=upstream, downstream=downstream)
    assert Dependency.objects.count() == 4


@pytest.mark.django_db
def test_a_project_cannot_depend_on_itself() -> None:
    [payments] = projects("Payments")
    with pytest.raises(ValidationError) as excinfo:
        dependency_create(upstream=payments, downstream=payments)
    assert excinfo.value.message_dict == {"downstream": ["A project cannot depend on itself."]}


@pytest.mark.django_db
def test_the_same_pair_twice_is_a_field_error_not_a_database_error() -> None:
    payments, accounts = projects("Payments", "Accounts")
    dependency_create(upstream=payments, downstream=accounts)
    with pytest.raises(ValidationError) as excinfo:
        dependency_create(upstream=payments, downstream=accounts)
    assert excinfo.value.message_dict == {"upstream": ["Accounts already depends on Payments."]}


@pytest.mark.django_db
def test_a_milestone_of_another_project_is_refused() -> None:
    payments, accounts = projects("Payments", "Accounts")
    with pytest.raises(ValidationError) as excinfo:
        dependency_create(
            upstream=payments,
            downstream=accounts,
            upstream_milestone=MilestoneFactory(project=accounts),
        )
    assert set(excinfo.value.message_dict) == {"upstream_milestone"}


@pytest.mark.django_db
def test_a_lag_beyond_a_year_is_refused_on_lag_days() -> None:
    payments, accounts = projects("Payments", "Accounts")
    with pytest.raises(ValidationError) as excinfo:
        dependency_create(upstream=payments, downstream=accounts, lag_days=400)
    assert set(excinfo.value.message_dict) == {"lag_days"}


@pytest.mark.django_db
def test_moving_a_dependency_so_that_it_closes_a_cycle_is_refused() -> None:
    a, b, c, d = projects("Alpha", "Bravo", "Charlie", "Delta")
    dependency_create(upstream=a, downstream=b)
    dependency_create(upstream=b, downstream=c)
    moving = dependency_create(upstream=c, downstream=d)
    with pytest.raises(ValidationError) as excinfo:
        dependency_update(dependency=moving, downstream=a)
    assert cycle_error(excinfo) == "This would create a cycle: Charlie → Alpha → Bravo → Charlie"
    moving.refresh_from_db()
    assert moving.downstream == d


@pytest.mark.django_db
def test_reversing_a_dependency_does_not_count_its_old_direction_as_a_cycle() -> None:
    payments, accounts = projects("Payments", "Accounts")
    dependency = dependency_create(upstream=payments, downstream=accounts)
    dependency_update(dependency=dependency, upstream=accounts, downstream=payments)
    assert list(Dependency.objects.values_list("upstream", "downstream")) == [
        (accounts.pk, payments.pk)
    ]


@pytest.mark.django_db
def test_updating_a_dependencys_lag_and_milestones_is_saved() -> None:
    payments, accounts = projects("Payments", "Accounts")
    dependency = dependency_create(upstream=payments, downstream=accounts)
    api_live = MilestoneFactory(project=payments)
    dependency_update(dependency=dependency, lag_days=-3, upstream_milestone=api_live)
    dependency.refresh_from_db()
    assert (dependency.lag_days, dependency.upstream_milestone) == (-3, api_live)


@pytest.mark.django_db
def test_updating_a_field_a_dependency_does_not_have_is_a_programming_error() -> None:
    dependency = DependencyFactory()
    with pytest.raises(TypeError, match="Not a dependency field: colour"):
        dependency_update(dependency=dependency, colour="red")  # type: ignore[call-arg]


@pytest.mark.django_db
def test_the_cycle_search_reads_the_graph_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    a, b, c, d = projects("Alpha", "Bravo", "Charlie", "Delta")
    for upstream, downstream in [(a, b), (b, c), (c, d)]:
        DependencyFactory(upstream=upstream, downstream=downstream)
    with django_assert_num_queries(1):
        assert dependency_cycle(upstream=a, downstream=d) == []


# Two requests at once ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_to_close_a_cycle_cannot_both_succeed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payments, accounts = projects("Payments", "Accounts")
    search = services.dependency_cycle

    def slow_search(**kwargs: Any) -> list[Project]:
        # Hold the window between search and save open, so the other request is surely
        # running meanwhile: without the lock it would search now and find no cycle.
        found = search(**kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(services, "dependency_cycle", slow_search)
    outcomes = run_at_once(
        lambda: dependency_create(upstream=payments, downstream=accounts),
        lambda: dependency_create(upstream=accounts, downstream=payments),
    )

    [created] = [o for o in outcomes if isinstance(o, Dependency)]
    [refused] = [o for o in outcomes if isinstance(o, ValidationError)]
    names = f"{created.downstream} → {created.upstream} → {created.downstream}"
    assert refused.message_dict == {"upstream": [f"This would create a cycle: {names}"]}
    assert Dependency.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_without_the_graph_lock_two_racing_requests_would_close_a_cycle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Why the lock is there: this is the race the test above shows it prevents."""
    payments, accounts = projects("Payments", "Accounts")
    search = services.dependency_cycle
    both_searched = threading.Barrier(2, timeout=10)

    def search_then_wait_for_the_other(**kwargs: Any) -> list[Project]:
        found = search(**kwargs)
        both_searched.wait()
        return found

    monkeypatch.setattr(services, "_lock_dependency_graph", lambda: None)
    monkeypatch.setattr(services, "dependency_cycle", search_then_wait_for_the_other)
    outcomes = run_at_once(
        lambda: dependency_create(upstream=payments, downstream=accounts),
        lambda: dependency_create(upstream=accounts, downstream=payments),
    )

    # Under READ COMMITTED each search saw the graph without the other's uncommitted edge,
    # and the (upstream, downstream) unique constraint cannot see A → B and B → A clash.
    assert all(isinstance(outcome, Dependency) for outcome in outcomes)
    assert set(Dependency.objects.values_list("upstream", "downstream")) == {
        (payments.pk, accounts.pk),
        (accounts.pk, payments.pk),
    }
