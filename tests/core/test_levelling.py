"""Levelling suggestions, model-free: each kind on a small plan, their order, and on random
plans that applying any offered suggestion never over-books anyone who was within capacity
and never makes the over-booked person worse."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.core.capacity import is_overbooked, load_window
from portfolio.core.levelling import (
    Booking,
    OverAllocation,
    Person,
    Plan,
    over,
    suggestions_for,
    with_pieces,
)

TODAY = date(2027, 3, 17)  # a Wednesday of ISO week 11
MONDAY = date(2027, 3, 15)


def _plan(people: list[Person], bookings: list[Booking]) -> Plan:
    return Plan({p.id: p for p in people}, bookings, load_window(TODAY), load_window(TODAY, 24))


def _booking(pk: int, person: int, project: int, hours: int, weeks: int = 4, **extra) -> Booking:
    values = {
        "id": pk,
        "person_id": person,
        "project_id": project,
        "project_name": f"P{project}",
        "priority": 3,
        "start": MONDAY,
        "finish": MONDAY + timedelta(weeks=weeks, days=-3),
        "weekly_hours": Decimal(hours),
        "project_finish": MONDAY + timedelta(weeks=30),
        "latest_finish": MONDAY + timedelta(weeks=30),
    }
    values.update(extra)
    return Booking(**values)


TARA = Person(1, "Tara Singh", Decimal(40), team_id=7, job_title="Engineer")
ANA = Person(2, "Ana Ruiz", Decimal(40), team_id=7, job_title="Analyst")
OUTSIDER = Person(3, "Otto Far", Decimal(40), team_id=8, job_title="Designer")


def _only(found: list[OverAllocation]) -> OverAllocation:
    assert len(found) == 1
    return found[0]


def test_a_person_over_capacity_in_four_weeks_is_one_over_allocation() -> None:
    plan = _plan([TARA], [_booking(10, 1, 100, 32), _booking(11, 1, 101, 20)])

    over = _only(suggestions_for(plan))

    assert over.person == TARA
    assert [w.percent for w in over.weeks] == [130] * 4
    assert over.summary == "130 % in weeks 11–14 of 2027"


def test_reassign_gives_the_work_to_a_teammate_with_room_and_says_their_load() -> None:
    critical = _booking(10, 1, 100, 32, priority=1)
    plan = _plan([TARA, ANA, OUTSIDER], [critical, _booking(11, 1, 101, 12)])

    first = _only(suggestions_for(plan)).suggestions[0]

    assert first.kind == "reassign"
    assert first.summary == "Give Tara Singh's work on P101 in weeks 11–14 to Ana Ruiz"
    assert "Ana Ruiz goes to 30 % in weeks 11–14." in first.consequences
    assert first.resolves
    assert [(p.person_id, p.booking_id) for p in first.pieces] == [(2, 11)]


def test_nobody_of_another_team_or_job_title_is_offered_the_work() -> None:
    plan = _plan([TARA, OUTSIDER], [_booking(10, 1, 100, 32), _booking(11, 1, 101, 12)])

    kinds = {s.kind for s in _only(suggestions_for(plan)).suggestions}

    assert "reassign" not in kinds


def test_a_booking_not_yet_started_moves_later_within_its_slack() -> None:
    later = MONDAY + timedelta(weeks=1)
    plan = _plan(
        [TARA],
        [
            _booking(10, 1, 100, 32, start=MONDAY, finish=MONDAY + timedelta(weeks=2, days=-3)),
            _booking(11, 1, 101, 12, start=later, finish=later + timedelta(days=4)),
        ],
    )

    moves = [s for s in _only(suggestions_for(plan)).suggestions if s.kind == "move"]

    assert [s.key for s in moves] == ["move-11-1-20270322"]
    assert moves[0].pieces[0].start == later + timedelta(weeks=1)
    assert moves[0].consequences[0].startswith("No project dates move")


def test_a_move_passes_over_a_week_it_would_over_book() -> None:
    week = [MONDAY + timedelta(weeks=n) for n in range(4)]
    plan = _plan(
        [TARA],
        [
            _booking(10, 1, 100, 32, start=week[0], finish=week[1] + timedelta(days=4)),
            _booking(11, 1, 101, 12, start=week[1], finish=week[1] + timedelta(days=4)),
            _booking(12, 1, 102, 32, start=week[2], finish=week[2] + timedelta(days=4)),
        ],
    )

    moves = [s for s in _only(suggestions_for(plan)).suggestions if s.kind == "move"]

    assert [s.key for s in moves] == ["move-11-2-20270322"]


def test_with_no_room_later_a_booking_moves_earlier_but_not_before_its_project_starts() -> None:
    week = [MONDAY + timedelta(weeks=n) for n in range(6)]
    tight = week[4] + timedelta(days=4)
    busy_to_the_end = _booking(10, 1, 100, 32, start=week[0], finish=week[5] + timedelta(weeks=20))
    plan = _plan(
        [TARA],
        [
            replace(busy_to_the_end, start=week[3]),
            _booking(11, 1, 101, 12, start=week[4], finish=tight, latest_finish=tight),
            _booking(12, 1, 102, 8, start=week[3], finish=week[3] + timedelta(days=4)),
        ],
    )
    early = replace(plan.bookings[1], earliest_start=week[3])

    moves = [s for s in _only(suggestions_for(plan)).suggestions if s.kind == "move"]
    blocked = _plan(list(plan.people.values()), [plan.bookings[0], early, plan.bookings[2]])

    assert [(s.key, s.summary.split(" (")[0]) for s in moves] == [
        ("move-11-e2-20270412", "Move Tara Singh's booking on P101 2 weeks earlier")
    ]
    assert not [s for s in _only(suggestions_for(blocked)).suggestions if s.kind == "move"]


def test_a_booking_is_never_moved_past_its_projects_slack() -> None:
    later = MONDAY + timedelta(weeks=1)
    tight = later + timedelta(days=4)
    plan = _plan(
        [TARA],
        [
            _booking(10, 1, 100, 32, start=MONDAY, finish=MONDAY + timedelta(weeks=3)),
            _booking(11, 1, 101, 12, start=later, finish=tight, latest_finish=tight),
        ],
    )

    kinds = {s.kind for s in _only(suggestions_for(plan)).suggestions}

    assert "move" not in kinds


def test_split_cuts_the_hours_in_the_over_weeks_to_what_fits() -> None:
    critical = _booking(10, 1, 100, 32, priority=1)
    plan = _plan([TARA], [critical, _booking(11, 1, 101, 12, weeks=8)])

    split = next(s for s in _only(suggestions_for(plan)).suggestions if s.kind == "split")

    assert split.summary == "Cut Tara Singh's booking on P101 to 8 h a week in weeks 11–14"
    assert [(p.booking_id, p.weekly_hours) for p in split.pieces] == [
        (11, Decimal(8)),
        (None, Decimal(12)),
    ]
    assert split.resolves


def test_the_lowest_priority_project_is_touched_first_then_most_slack() -> None:
    plan = _plan(
        [TARA],
        [
            _booking(10, 1, 100, 24, priority=1),
            _booking(11, 1, 101, 12, priority=4),
            _booking(12, 1, 102, 12, priority=4, latest_finish=MONDAY + timedelta(weeks=40)),
        ],
    )

    splits = [s for s in _only(suggestions_for(plan)).suggestions if s.kind == "split"]

    assert [s.booking.id for s in splits] == [12, 11, 10]


def test_reassign_comes_before_split_on_the_same_booking() -> None:
    plan = _plan([TARA, ANA], [_booking(10, 1, 100, 32, priority=1), _booking(11, 1, 101, 12)])

    kinds = [s.kind for s in _only(suggestions_for(plan)).suggestions if s.booking.id == 11]

    assert kinds == ["reassign", "split"]


# Random plans --------------------------------------------------------------------------------

people_strategy = st.lists(
    st.builds(
        lambda capacity, team, title: (Decimal(capacity), team, title),
        st.sampled_from([0, 16, 30, 40]),
        st.sampled_from([None, 1, 2]),
        st.sampled_from(["", "Engineer", "Analyst"]),
    ),
    min_size=1,
    max_size=5,
)
bookings_strategy = st.lists(
    st.tuples(
        st.integers(0, 4),  # person (index, wrapped)
        st.integers(0, 3),  # project
        st.integers(0, 10),  # starts this many weeks after the window's first Monday
        st.integers(0, 6),  # day of the week it starts on
        st.integers(1, 40),  # days long
        st.sampled_from([4, 8, 12.5, 20, 32, 40]),
        st.integers(1, 4),  # priority
        st.integers(0, 60),  # slack in days
    ),
    max_size=12,
)


def _random_plan(people_rows: list, booking_rows: list) -> Plan:
    people = [
        Person(i + 1, f"Person {i + 1}", capacity, team_id=team, job_title=title)
        for i, (capacity, team, title) in enumerate(people_rows)
    ]
    bookings = []
    for pk, row in enumerate(booking_rows, start=1):
        person, project, week, weekday, days, hours, priority, slack = row
        start = MONDAY + timedelta(weeks=week - 1, days=weekday)
        finish = start + timedelta(days=days)
        bookings.append(
            Booking(
                id=pk,
                person_id=person % len(people) + 1,
                project_id=project,
                project_name=f"P{project}",
                priority=priority,
                start=start,
                finish=finish,
                weekly_hours=Decimal(str(hours)),
                project_finish=finish,
                latest_finish=finish + timedelta(days=slack),
            )
        )
    return _plan(people, bookings)


@settings(max_examples=150, deadline=None)
@given(people_strategy, bookings_strategy)
def test_no_offered_suggestion_over_books_anyone_or_worsens_the_over_booked(
    people_rows: list, booking_rows: list
) -> None:
    plan = _random_plan(people_rows, booking_rows)
    for found in suggestions_for(plan):
        for suggestion in found.suggestions:
            after = with_pieces(plan, suggestion)
            for person in plan.people:
                for monday in plan.mondays:
                    before, now = plan.week(person, monday), after.week(person, monday)
                    assert not (now.is_overbooked and not before.is_overbooked), suggestion.key
                    if person == found.person.id and before.is_overbooked:
                        assert now.booked_hours <= before.booked_hours, suggestion.key


@settings(max_examples=50, deadline=None)
@given(people_strategy, bookings_strategy)
def test_suggestions_come_in_the_same_order_every_time(
    people_rows: list, booking_rows: list
) -> None:
    plan = _random_plan(people_rows, booking_rows)
    again = _plan(list(plan.people.values()), list(reversed(plan.bookings)))

    keys = [[s.key for s in o.suggestions] for o in suggestions_for(plan)]

    assert keys == [[s.key for s in o.suggestions] for o in suggestions_for(again)]


@given(
    st.decimals(min_value=0, max_value=400, places=2),
    st.sampled_from([Decimal(0), Decimal("22.5"), Decimal(30), Decimal("37.5"), Decimal(40)]),
)
def test_the_quick_over_capacity_test_agrees_with_the_one_rule(
    booked: Decimal, capacity: Decimal
) -> None:
    assert over(booked, capacity) == is_overbooked(booked, capacity)


def test_the_quick_over_capacity_test_flags_101_percent_and_not_100() -> None:
    assert over(Decimal("40.2"), Decimal(40)) and not over(Decimal("40.1"), Decimal(40))
