"""The date axis the server-drawn charts share (portfolio.core.timescale)."""

from datetime import date

from portfolio.core.timescale import Zoom, scale_for


def test_a_scale_starts_and_ends_on_whole_units_of_its_zoom() -> None:
    months = scale_for(date(2026, 3, 14), date(2026, 7, 2), Zoom.MONTHS)
    quarters = scale_for(date(2026, 3, 14), date(2026, 7, 2), Zoom.QUARTERS)
    years = scale_for(date(2026, 3, 14), date(2026, 7, 2), Zoom.YEARS)
    assert (months.start, months.end) == (date(2026, 3, 1), date(2026, 7, 31))
    assert (quarters.start, quarters.end) == (date(2026, 1, 1), date(2026, 9, 30))
    assert (years.start, years.end) == (date(2026, 1, 1), date(2026, 12, 31))


def test_a_day_lies_its_days_from_the_start_times_the_zoom_s_pixels_per_day() -> None:
    scale = scale_for(date(2026, 1, 1), date(2026, 12, 31), Zoom.MONTHS)
    assert scale.x(date(2026, 1, 1)) == 0
    assert scale.x(date(2026, 1, 11)) == 30.0
    assert scale.x_end(date(2026, 1, 1)) == 3.0
    assert scale.width == 365 * 3


def test_ticks_fall_on_each_unit_and_mark_the_years() -> None:
    scale = scale_for(date(2026, 11, 5), date(2027, 2, 1), Zoom.MONTHS)
    ticks = scale.ticks()
    assert [t.label for t in ticks] == ["Nov", "Dec", "Jan 2027", "Feb"]
    assert [t.major for t in ticks] == [False, False, True, False]
    quarters = scale_for(date(2026, 11, 5), date(2027, 2, 1), Zoom.QUARTERS).ticks()
    assert [t.label for t in quarters] == ["Q4 2026", "Q1 2027"]


def test_dates_given_the_wrong_way_round_give_the_same_scale() -> None:
    assert scale_for(date(2027, 1, 1), date(2026, 1, 1), Zoom.YEARS) == scale_for(
        date(2026, 1, 1), date(2027, 1, 1), Zoom.YEARS
    )
