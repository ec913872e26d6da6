"""The PMO workspace: building a programme from nothing through the pages, with errors
next to the fields, archive, and lists that filter, search, sort and export."""

import csv
import io
from datetime import date

from django.urls import reverse
from openpyxl import load_workbook

from programmes.models import Programme
from projects.models import Milestone, Project
from tests.conftest import Cast
from tests.factories import ProjectFactory


def test_pmo_builds_a_programme_with_a_project_and_a_milestone(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    client.post(
        reverse("programmes:create"),
        {
            "portfolio": cast.portfolio_a.pk,
            "code": "NEW",
            "name": "New Programme",
            "manager": cast.programme_manager.pk,
            "start_date": "2026-01-01",
            "finish_date": "2027-12-31",
            "budget": "5000000",
            "stage": "delivery",
        },
    )
    programme = Programme.objects.get(code="NEW")
    assert programme.manager == cast.programme_manager
    client.post(
        reverse("projects:create"),
        {
            "portfolio": cast.portfolio_a.pk,
            "programme": programme.pk,
            "code": "NEW-1",
            "name": "First Project",
            "manager": cast.project_manager.pk,
            "baseline_start": "2026-02-01",
            "baseline_finish": "2026-11-30",
            "budget": "250000",
            "spend_to_date": "0",
            "priority": 2,
            "stage": "planning",
        },
    )
    project = Project.objects.get(code="NEW-1")
    assert project.programme == programme and project.manager == cast.project_manager
    response = client.post(
        reverse("projects:milestone-create", args=[project.pk]),
        {"name": "Go live", "baseline_date": "2026-11-01"},
    )
    assert response.status_code == 302
    assert Milestone.objects.get(project=project).baseline_date == date(2026, 11, 1)


def test_a_project_finishing_before_it_starts_is_shown_next_to_the_field(cast: Cast) -> None:
    response = cast.client_for(cast.pmo).post(
        reverse("projects:create"),
        {
            "portfolio": cast.portfolio_a.pk,
            "code": "BAD",
            "name": "Backwards",
            "baseline_start": "2026-06-01",
            "baseline_finish": "2026-01-01",
            "budget": "1",
            "spend_to_date": "0",
            "priority": 3,
            "stage": "planning",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors.get("baseline_finish")
    assert "Backwards" in response.content.decode()  # what was typed is kept
    assert not Project.objects.filter(code="BAD").exists()


def test_bad_numbers_and_dates_get_field_errors_not_500s(cast: Cast) -> None:
    response = cast.client_for(cast.pmo).post(
        reverse("projects:create"),
        {
            "portfolio": cast.portfolio_a.pk,
            "code": "BIG",
            "name": "<script>alert(1)</script>",
            "baseline_start": "2023-02-30",
            "baseline_finish": "next week",
            "budget": "1" + "0" * 30,
            "spend_to_date": "-5",
            "priority": 9,
            "stage": "nonsense",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    for field in (
        "baseline_start",
        "baseline_finish",
        "budget",
        "spend_to_date",
        "priority",
        "stage",
    ):
        assert field in errors, field
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_duplicate_project_code_in_a_portfolio_is_refused_on_the_field(cast: Cast) -> None:
    response = cast.client_for(cast.pmo).post(
        reverse("projects:create"),
        {
            "portfolio": cast.project_a1.portfolio_id,
            "code": cast.project_a1.code,
            "name": "Twin",
            "baseline_start": "2026-01-01",
            "baseline_finish": "2026-02-01",
            "budget": "1",
            "spend_to_date": "0",
            "priority": 3,
            "stage": "planning",
        },
    )
    assert response.status_code == 400
    assert "already exists" in str(response.context["form"].errors)


def test_archived_projects_leave_the_list_but_can_be_shown_and_restored(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    client.post(reverse("projects:archive", args=[cast.project_a2.pk]))
    names = _listed(client, reverse("projects:list"))
    assert "Project A2" not in names
    assert "Project A2" in _listed(client, reverse("projects:list") + "?state=archived")
    client.post(reverse("projects:archive", args=[cast.project_a2.pk]))
    assert "Project A2" in _listed(client, reverse("projects:list"))


def _listed(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    table = client.get(url).context["table"]
    return [row.record.name for row in table.paginated_rows]


def test_project_list_searches_filters_and_sorts(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    url = reverse("projects:list")
    assert _listed(client, url + "?q=sibling") == ["Project A1 sibling"]
    assert set(_listed(client, url + f"?programme={cast.programme_a1.pk}")) == {
        "Project A1",
        "Project A1 sibling",
    }
    assert _listed(client, url + "?sort=-name")[0] == "Project B1"


def test_a_bad_filter_value_shows_an_error_instead_of_failing(cast: Cast) -> None:
    response = cast.client_for(cast.pmo).get(reverse("projects:list") + "?stage=bogus&page=x")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_project_list_downloads_as_csv_with_formulas_neutralised(cast: Cast) -> None:
    ProjectFactory(programme=cast.programme_a1, name='=HYPERLINK("http://evil")')
    response = cast.client_for(cast.pmo).get(reverse("projects:list") + "?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["Code", "Project"]
    names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in names
    assert len(rows) == 1 + Project.objects.count()


def test_the_project_list_downloads_as_xlsx_with_only_visible_rows(cast: Cast) -> None:
    response = cast.client_for(cast.executive).get(reverse("projects:list") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"Project A1", "Project A1 sibling", "Project A2"}
