"""The PMO's Reporting page: each project's submission for a week (on time, late, overdue,
draft, not started), summary counts, filters, a fixed query count, who may see it, and the
one-click reminder."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portfolio.core.periods import Period
from programmes.models import HealthPolicy, Person, Portfolio, Programme
from projects import compliance_views
from projects.models import Project, ReminderLog, StatusReport
from projects.models.reminders import compliance_for, expected_to_report, with_period_status
from tests.conftest import Cast
from tests.factories import ProjectFactory

TZ = timezone.get_default_timezone()
WEEK = Period.parse("2026-W47")  # Mon 16 – Sun 22 Nov 2026; due Fri 20, chased Mon 23
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=TZ)
NEXT_MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
URL = reverse("projects:reporting")


def _at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def submit(project: Project, period: Period, when: datetime) -> StatusReport:
    return StatusReport.objects.create(
        project=project,
        period_start=period.start,
        state=StatusReport.State.SUBMITTED,
        submitted_at=when,
        overall="green",
    )


def draft(project: Project, period: Period) -> StatusReport:
    return StatusReport.objects.create(project=project, period_start=period.start)


def statuses(response: Any) -> dict[str, str]:
    return {row.project.name: row.status.label for row in response.context["rows"]}


def counts(response: Any) -> dict[str, int]:
    return {name: n for _, name, n, _, _ in response.context["summary"]}


@pytest.fixture
def pmo(cast: Cast) -> Client:
    return cast.client_for(cast.pmo)


# Statuses -----------------------------------------------------------------------------


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_after_the_chase_day_reports_are_on_time_late_or_overdue(cast: Cast, pmo: Client) -> None:
    submit(cast.project_a1, WEEK, _at(date(2026, 11, 19)))  # Thursday
    submit(cast.project_a1_sibling, WEEK, _at(date(2026, 11, 21)))  # Saturday
    draft(cast.project_b1, WEEK)  # started, never submitted
    response = pmo.get(URL, {"period": WEEK.label})
    assert response.status_code == 200
    assert statuses(response) == {
        "Project A1": "Submitted",
        "Project A1 sibling": "Submitted late",
        "Project A2": "Overdue",
        "Project B1": "Overdue",
    }


@time_machine.travel(WEDNESDAY, tick=False)
def test_before_the_due_day_a_report_is_a_draft_or_not_started(cast: Cast, pmo: Client) -> None:
    draft(cast.project_a1, WEEK)
    submit(cast.project_a1_sibling, WEEK, _at(date(2026, 11, 17)))
    response = pmo.get(URL, {"period": WEEK.label})
    assert statuses(response) == {
        "Project A1": "Draft",
        "Project A1 sibling": "Submitted",
        "Project A2": "Not started",
        "Project B1": "Not started",
    }


@time_machine.travel(datetime(2026, 11, 21, 10, 0, tzinfo=TZ), tick=False)
def test_between_the_due_day_and_the_chase_day_a_missing_report_is_not_yet_overdue(
    cast: Cast, pmo: Client
) -> None:
    response = pmo.get(URL, {"period": WEEK.label})
    assert set(statuses(response).values()) == {"Not started"}


@time_machine.travel(WEDNESDAY, tick=False)
def test_each_portfolio_judges_by_its_own_due_day_and_grace(cast: Cast, pmo: Client) -> None:
    # Portfolio B wants reports on Monday with no grace: chased from Tuesday.
    HealthPolicy.objects.create(
        portfolio=cast.portfolio_b, report_due_weekday=0, report_grace_days=0
    )
    b2 = ProjectFactory(programme=cast.programme_b1, name="Project B2")
    submit(cast.project_a1, WEEK, _at(date(2026, 11, 17)))  # Tuesday
    submit(b2, WEEK, _at(date(2026, 11, 17)))
    result = statuses(pmo.get(URL, {"period": WEEK.label}))
    assert (result["Project B1"], result["Project B2"]) == ("Overdue", "Submitted late")
    # Portfolio A keeps the default: due Friday, chased the Monday after.
    assert (result["Project A2"], result["Project A1"]) == ("Not started", "Submitted")


@time_machine.travel(datetime(2026, 7, 20, 10, 0, tzinfo=TZ), tick=False)
def test_on_time_is_judged_by_the_local_day_of_submission(cast: Cast, pmo: Client) -> None:
    july = Period.parse("2026-W29")  # due Friday 17 July, in British Summer Time
    # 00:30 on Saturday in London is still Friday in UTC: it is late all the same.
    submit(cast.project_a1, july, _at(date(2026, 7, 18), 0, 30))
    submit(cast.project_a2, july, _at(date(2026, 7, 17), 23, 30))
    response = pmo.get(URL, {"period": july.label})
    result = statuses(response)
    assert result["Project A1"] == "Submitted late"
    assert result["Project A2"] == "Submitted"


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_archived_and_closed_projects_are_not_expected_to_report(cast: Cast, pmo: Client) -> None:
    cast.project_a2.archive()
    cast.project_b1.stage = Project.Stage.CLOSED
    cast.project_b1.save()
    response = pmo.get(URL, {"period": WEEK.label})
    assert set(statuses(response)) == {"Project A1", "Project A1 sibling"}


# Counts, history, periods ---------------------------------------------------------------


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_the_summary_counts_each_status_and_the_share_on_time(cast: Cast, pmo: Client) -> None:
    submit(cast.project_a1, WEEK, _at(date(2026, 11, 20)))
    submit(cast.project_a1_sibling, WEEK, _at(date(2026, 11, 22)))
    response = pmo.get(URL, {"period": WEEK.label})
    assert counts(response) == {"on time": 1, "late": 1, "overdue": 2, "draft": 0, "not started": 0}
    assert response.context["totals"].percent_on_time == 25
    page = response.content.decode()
    summary = page[page.index('data-testid="compliance-summary"') :].split("</p>")[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", summary.split(">", 1)[1]).split())
    assert text == (
        "1 on time · 1 late · 2 overdue · 0 draft · 0 not started — 25% on time of 4 projects"
    )


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_a_long_selection_is_drawn_a_page_at_a_time_with_whole_counts(
    cast: Cast, pmo: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from projects import compliance_views

    monkeypatch.setattr(compliance_views, "PER_PAGE", 3)
    submit(cast.project_a1, WEEK, _at(date(2026, 11, 20)))
    query = {"period": WEEK.label, "portfolio": cast.portfolio_a.pk}
    first = pmo.get(URL, query)
    assert list(statuses(first)) == ["Project A1 sibling", "Project A2", "Project A1"]
    assert sum(counts(first).values()) == 3  # Portfolio A has three projects: one page
    assert 'data-testid="compliance-pages"' not in first.content.decode()

    first = pmo.get(URL, {"period": WEEK.label})
    html = first.content.decode()
    assert "Projects 1–3 of 4" in html
    assert list(statuses(first)) == ["Project A1 sibling", "Project A2", "Project B1"]
    next_link = re.search(r'href="\?([^"]*page=2)"', html)
    assert next_link is not None and f"period={WEEK.label}" in next_link[1]

    second = pmo.get(URL + "?" + next_link[1].replace("&amp;", "&"))
    assert statuses(second) == {"Project A1": "Submitted"}
    assert counts(second) == counts(first)  # the counts are the whole selection's
    assert "Projects 4–4 of 4" in second.content.decode()


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_the_last_eight_weeks_show_on_time_late_and_missing(cast: Cast, pmo: Client) -> None:
    for weeks_back in range(8):
        period = WEEK.previous(weeks_back)
        if weeks_back == 3:
            continue  # missed
        late = weeks_back == 5
        submit(cast.project_a1, period, _at(period.due_date(4) + timedelta(days=late)))
    submit(cast.project_a1, WEEK.previous(8), _at(WEEK.previous(8).start))  # too old to show
    response = pmo.get(URL, {"period": WEEK.label})
    [row] = [r for r in response.context["rows"] if r.project == cast.project_a1]
    assert [w.period for w in row.history] == [WEEK.previous(n) for n in range(7, -1, -1)]
    assert [w.status.value for w in row.history] == [
        "on_time",
        "on_time",
        "late",
        "on_time",
        "overdue",
        "on_time",
        "on_time",
        "on_time",
    ]


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_on_monday_the_page_opens_on_last_week_with_links_either_side(
    cast: Cast, pmo: Client
) -> None:
    response = pmo.get(URL)
    assert response.context["period"] == WEEK
    page = response.content.decode()
    assert "?period=2026-W46" in page and "?period=2026-W48" in page


@time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=TZ), tick=False)
def test_from_the_due_day_the_page_opens_on_this_week(cast: Cast, pmo: Client) -> None:
    assert pmo.get(URL).context["period"] == WEEK


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_an_earlier_week_is_chosen_with_the_period_parameter(cast: Cast, pmo: Client) -> None:
    earlier = Period.parse("2026-W46")
    submit(cast.project_a1, earlier, _at(earlier.due_date(4)))
    response = pmo.get(URL, {"period": "2026-W46"})
    assert response.context["period"] == earlier
    assert statuses(response)["Project A1"] == "Submitted"
    assert statuses(response)["Project A2"] == "Overdue"


def test_a_bad_period_is_a_404(cast: Cast, pmo: Client) -> None:
    assert pmo.get(URL, {"period": "2026-W99"}).status_code == 404
    assert pmo.get(URL, {"period": "<script>"}).status_code == 404


# Filters ------------------------------------------------------------------------------


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_filtering_by_portfolio_and_programme(cast: Cast, pmo: Client) -> None:
    by_portfolio = pmo.get(URL, {"period": WEEK.label, "portfolio": cast.portfolio_b.pk})
    assert set(statuses(by_portfolio)) == {"Project B1"}
    by_programme = pmo.get(URL, {"period": WEEK.label, "programme": cast.programme_a1.pk})
    assert set(statuses(by_programme)) == {"Project A1", "Project A1 sibling"}


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_filtering_by_status_lists_those_rows_but_keeps_the_counts(cast: Cast, pmo: Client) -> None:
    submit(cast.project_a1, WEEK, _at(date(2026, 11, 19)))
    response = pmo.get(URL, {"period": WEEK.label, "status": "overdue"})
    assert set(statuses(response)) == {"Project A1 sibling", "Project A2", "Project B1"}
    assert counts(response)["on time"] == 1


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_filtering_swaps_only_the_results_for_htmx(cast: Cast, pmo: Client) -> None:
    response = pmo.get(
        URL, {"period": WEEK.label, "portfolio": cast.portfolio_a.pk}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="compliance-results">')
    assert "<html" not in page


def test_an_executive_is_offered_only_their_portfolios_and_cannot_ask_for_another(
    cast: Cast,
) -> None:
    client = cast.client_for(cast.executive)
    response = client.get(URL)
    choices = [str(c[1]) for c in response.context["filter"].form.fields["portfolio"].choices]
    assert "Portfolio A" in choices and "Portfolio B" not in choices
    refused = client.get(URL, {"portfolio": cast.portfolio_b.pk})
    assert refused.status_code == 200
    assert refused.context["rows"] == []
    assert "portfolio" in refused.context["filter"].errors


# Who may see it --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("pmo", {"Project A1", "Project A1 sibling", "Project A2", "Project B1"}),
        ("executive", {"Project A1", "Project A1 sibling", "Project A2"}),
    ],
)
def test_pmo_sees_every_project_and_an_executive_those_of_their_portfolios(
    cast: Cast, role: str, expected: set[str]
) -> None:
    response = cast.client_for(getattr(cast, role)).get(URL)
    assert response.status_code == 200
    assert set(statuses(response)) == expected


@pytest.mark.parametrize(
    "role", ["programme_manager", "project_manager", "other_project_manager", "outsider"]
)
def test_managers_and_outsiders_are_refused_the_page(cast: Cast, role: str) -> None:
    assert cast.client_for(getattr(cast, role)).get(URL).status_code == 403


def test_the_page_needs_a_login(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_only_the_pmo_has_reporting_in_the_navigation(cast: Cast) -> None:
    for role, shown in [("pmo", True), ("project_manager", False), ("outsider", False)]:
        page = cast.client_for(getattr(cast, role)).get(reverse("projects:list")).content
        assert (f'href="{URL}"'.encode() in page) is shown, role


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_an_executive_reads_the_page_without_remind_buttons(cast: Cast, emails: Cast) -> None:
    page = cast.client_for(cast.executive).get(URL).content.decode()
    assert "Overdue" in page
    assert "/remind" not in page  # neither the row buttons nor "remind all overdue"


@time_machine.travel(NEXT_MONDAY, tick=False)
@pytest.mark.parametrize(
    "role",
    ["executive", "programme_manager", "project_manager", "other_project_manager", "outsider"],
)
def test_only_the_pmo_may_send_a_reminder(cast: Cast, emails: Cast, role: str) -> None:
    client = cast.client_for(getattr(cast, role))
    one = client.post(
        reverse("projects:reporting-remind", args=[cast.project_a1.pk]), {"period": WEEK.label}
    )
    every = client.post(reverse("projects:reporting-remind-overdue"), {"period": WEEK.label})
    assert (one.status_code, every.status_code) == (403, 403)
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_a_reminder_is_sent_only_by_post(cast: Cast, pmo: Client) -> None:
    url = reverse("projects:reporting-remind", args=[cast.project_a1.pk])
    assert pmo.get(url, {"period": WEEK.label}).status_code == 405


def test_a_reminder_post_needs_the_csrf_token(cast: Cast, emails: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    assert cast.pmo.user is not None
    client.force_login(cast.pmo.user)
    url = reverse("projects:reporting-remind", args=[cast.project_a1.pk])
    assert client.post(url, {"period": WEEK.label}).status_code == 403
    assert mail.outbox == []


# Reminders from the page --------------------------------------------------------------------


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_the_remind_button_sends_one_email_and_the_row_says_so(
    cast: Cast, emails: Cast, pmo: Client
) -> None:
    url = reverse("projects:reporting-remind", args=[cast.project_a1.pk])
    response = pmo.post(url, {"period": WEEK.label}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    row = response.content.decode()
    assert row.lstrip().startswith(f'<tr id="reporting-{cast.project_a1.pk}"')
    assert "Reminder sent Mon 23 Nov 10:00" in row
    [email] = mail.outbox
    assert email.to == ["pam@example.org"]
    assert f"/projects/{cast.project_a1.pk}/update/?period=2026-W47" in email.body
    log = ReminderLog.objects.get()
    assert (log.kind, log.sent_by, log.period_start) == ("manual", cast.pmo.user, WEEK.start)


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_the_remind_button_works_without_javascript(cast: Cast, emails: Cast, pmo: Client) -> None:
    url = reverse("projects:reporting-remind", args=[cast.project_a1.pk])
    response = pmo.post(url, {"period": WEEK.label, "portfolio": cast.portfolio_a.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?period=2026-W47&portfolio={cast.portfolio_a.pk}"
    assert len(mail.outbox) == 1
    page = pmo.get(response["Location"]).content.decode()
    assert "Reminder sent to Pam Project about Project A1." in page
    assert "Reminder sent Mon 23 Nov 10:00" in page


def test_a_manual_reminder_is_not_sent_twice_the_same_day(
    cast: Cast, emails: Cast, pmo: Client
) -> None:
    url = reverse("projects:reporting-remind", args=[cast.project_a1.pk])
    with time_machine.travel(NEXT_MONDAY, tick=False):
        pmo.post(url, {"period": WEEK.label})
    with time_machine.travel(NEXT_MONDAY + timedelta(hours=6), tick=False):
        response = pmo.post(url, {"period": WEEK.label}, HTTP_HX_REQUEST="true")
    assert len(mail.outbox) == 1
    assert (
        "Pam Project was already reminded today about Project A1 for 2026-W47."
        in response.content.decode()
    )
    assert ReminderLog.objects.filter(kind="manual").count() == 1


def test_a_manual_reminder_can_be_sent_again_the_next_day(
    cast: Cast, emails: Cast, pmo: Client
) -> None:
    url = reverse("projects:reporting-remind", args=[cast.project_a1.pk])
    with time_machine.travel(NEXT_MONDAY, tick=False):
        pmo.post(url, {"period": WEEK.label})
    with time_machine.travel(NEXT_MONDAY + timedelta(days=1), tick=False):
        pmo.post(url, {"period": WEEK.label})
    assert [m.to for m in mail.outbox] == [["pam@example.org"], ["pam@example.org"]]
    assert ReminderLog.objects.filter(kind="manual").count() == 2


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_remind_all_overdue_skips_a_manager_reminded_seconds_before(
    cast: Cast, emails: Cast, pmo: Client
) -> None:
    pmo.post(
        reverse("projects:reporting-remind", args=[cast.project_a1.pk]), {"period": WEEK.label}
    )
    response = pmo.post(
        reverse("projects:reporting-remind-overdue"), {"period": WEEK.label}, HTTP_HX_REQUEST="true"
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "otto@example.org",
        "pam@example.org",
        "sid@example.org",
    ]
    assert "Sent 2 reminders. Already reminded today: Project A1." in response.content.decode()


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_the_single_reminder_is_refused_after_remind_all_overdue(
    cast: Cast, emails: Cast, pmo: Client
) -> None:
    pmo.post(reverse("projects:reporting-remind-overdue"), {"period": WEEK.label})
    sent = len(mail.outbox)
    pmo.post(
        reverse("projects:reporting-remind", args=[cast.project_a1.pk]), {"period": WEEK.label}
    )
    assert len(mail.outbox) == sent


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_no_reminder_for_a_report_already_submitted(cast: Cast, emails: Cast, pmo: Client) -> None:
    submit(cast.project_a1, WEEK, _at(date(2026, 11, 20)))
    url = reverse("projects:reporting-remind", args=[cast.project_a1.pk])
    response = pmo.post(url, {"period": WEEK.label}, HTTP_HX_REQUEST="true")
    assert "has already reported for 2026-W47" in response.content.decode()
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_a_manager_without_an_email_address_is_shown_not_reminded(
    cast: Cast, emails: Cast, pmo: Client
) -> None:
    page = pmo.get(URL, {"period": WEEK.label}).content.decode()
    assert "No email address for Nora Noemail" in page
    url = reverse("projects:reporting-remind", args=[cast.project_a2.pk])
    response = pmo.post(url, {"period": WEEK.label})
    assert response.status_code == 302
    assert mail.outbox == []
    assert "Nora Noemail has no email address." in pmo.get(response["Location"]).content.decode()


def test_an_archived_project_cannot_be_reminded(cast: Cast, emails: Cast, pmo: Client) -> None:
    cast.project_a1.archive()
    url = reverse("projects:reporting-remind", args=[cast.project_a1.pk])
    assert pmo.post(url, {"period": WEEK.label}).status_code == 404
    assert mail.outbox == []


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_remind_all_overdue_writes_to_each_overdue_manager_with_an_address(
    cast: Cast, emails: Cast, pmo: Client
) -> None:
    submit(cast.project_a1, WEEK, _at(date(2026, 11, 19)))  # on time: not reminded
    response = pmo.post(
        reverse("projects:reporting-remind-overdue"), {"period": WEEK.label}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert sorted(m.to[0] for m in mail.outbox) == ["otto@example.org", "sid@example.org"]
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="compliance-results">')
    assert "Sent 2 reminders. Not sent (no email address, or the email failed): Project A2." in page
    assert page.count("Reminder sent Mon 23 Nov 10:00") == 2


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_remind_all_overdue_keeps_to_the_filtered_selection(
    cast: Cast, emails: Cast, pmo: Client
) -> None:
    response = pmo.post(
        reverse("projects:reporting-remind-overdue"),
        {"period": WEEK.label, "portfolio": cast.portfolio_b.pk},
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["otto@example.org"]]


# Query count ------------------------------------------------------------------------------

MAX_QUERIES = (
    15  # measured: 13 (statuses counted and paged in SQL), the same at 4 projects and at 300
)


def _many_projects(cast: Cast, count: int) -> None:
    """`count` projects over three portfolios with 8 weeks of reports and some reminders."""
    managers = Person.objects.bulk_create(
        Person(name=f"Manager {i}", email=f"m{i}@example.org") for i in range(20)
    )
    portfolios = [cast.portfolio_a, cast.portfolio_b, Portfolio.objects.create(code="C")]
    HealthPolicy.objects.create(portfolio=portfolios[2], report_due_weekday=1)
    cast.executive.executive_portfolios.add(*portfolios)
    programmes = Programme.objects.bulk_create(
        Programme(portfolio=portfolios[i % 3], code=f"G{i}", name=f"Programme {i}")
        for i in range(12)
    )
    projects = Project.objects.bulk_create(
        Project(
            portfolio=programmes[i % 12].portfolio,
            programme=programmes[i % 12],
            code=f"Q{i:04d}",
            name=f"Bulk {i}",
            manager=managers[i % 20],
            baseline_start=date(2026, 1, 1),
            baseline_finish=date(2026, 12, 31),
            budget=Decimal(1000),
        )
        for i in range(count)
    )
    StatusReport.objects.bulk_create(
        StatusReport(
            project=project,
            period_start=WEEK.previous(weeks_back).start,
            state=StatusReport.State.SUBMITTED,
            submitted_at=_at(WEEK.previous(weeks_back).due_date(3 + (n + weeks_back) % 3)),
        )
        for n, project in enumerate(projects)
        for weeks_back in range(8)
        if (n + weeks_back) % 4
    )
    ReminderLog.objects.bulk_create(
        ReminderLog(project=p, period_start=WEEK.start, kind="overdue", recipient="x@example.org")
        for p in projects[::5]
    )


@time_machine.travel(NEXT_MONDAY, tick=False)
@pytest.mark.parametrize("role", ["pmo", "executive"])
def test_the_page_keeps_a_fixed_number_of_queries_at_300_projects(
    cast: Cast, settings: Any, django_assert_max_num_queries: Any, role: str
) -> None:
    settings.PAGE_CACHE_SECONDS = 0  # what a render costs (fixtures bulk-create unheard)
    client = cast.client_for(getattr(cast, role))
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"period": WEEK.label}).status_code == 200
    _many_projects(cast, 300)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(URL, {"period": WEEK.label, "programme": ""})
    assert response.context["totals"].total >= 200
    assert len(response.context["rows"]) == compliance_views.PER_PAGE  # only the rows shown
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"period": WEEK.label})
    assert len(many) == len(few)


@pytest.mark.parametrize("today", [NEXT_MONDAY.date(), WEEK.due_date(4) - timedelta(days=1)])
def test_the_sql_status_agrees_with_the_rule_for_every_project(cast: Cast, today: date) -> None:
    """Counts and pages use the SQL annotation, the rows the Python rule: never apart."""
    _many_projects(cast, 60)
    draft(cast.project_a2, WEEK)
    submit(cast.project_a1, WEEK, _at(WEEK.due_date(4) + timedelta(days=1)))
    HealthPolicy.objects.create(
        portfolio=cast.portfolio_b, report_due_weekday=6, report_grace_days=0
    )
    projects = expected_to_report(Project.objects.all())
    sql = dict(with_period_status(projects, WEEK, today).values_list("pk", "period_status"))
    rule = {row.project.pk: row.status.value for row in compliance_for(projects, WEEK, today).rows}
    assert sql == rule and len(set(rule.values())) >= 3
