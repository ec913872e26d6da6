"""The history tab: who changed what, and when."""

from django.urls import reverse

from projects.models import Project
from tests.conftest import Cast


def test_the_history_tab_says_who_changed_what(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    project = cast.project_a1
    client.post(
        reverse("projects:edit", args=[project.pk]),
        {
            "portfolio": project.portfolio_id,
            "programme": project.programme_id,
            "code": project.code,
            "name": "Renamed Project",
            "manager": project.manager_id,
            "baseline_start": "2026-01-05",
            "baseline_finish": "2026-12-18",
            "budget": "250000",
            "spend_to_date": "100000",
            "priority": 3,
            "stage": "delivery",
        },
    )
    response = client.get(reverse("history", args=["project", project.pk]))
    timeline = response.context["timeline"]
    change = timeline[0]
    assert change.who == "pmo" and change.action == "changed"
    fields = {c.field: (c.old, c.new) for c in change.changes}
    assert fields["Name"] == ("Project A1", "Renamed Project")
    assert fields["Stage"] == ("Planning", "Delivery")


def test_the_history_tab_names_related_rows_instead_of_their_ids(cast: Cast) -> None:
    project = cast.project_a1
    project.programme = cast.programme_a2
    project.sponsor = cast.executive
    project.save()
    response = cast.client_for(cast.pmo).get(reverse("history", args=["project", project.pk]))
    fields = {c.field: (c.old, c.new) for c in response.context["timeline"][0].changes}
    assert fields["Programme"] == (cast.programme_a1.name, cast.programme_a2.name)
    assert fields["Sponsor"] == (None, cast.executive.name)
    page = response.content.decode()
    assert f"{cast.programme_a2.name}</div>" in page
    assert f"→ {cast.programme_a2.pk}<" not in page


def test_the_history_tab_names_a_related_row_deleted_since_by_its_kind(cast: Cast) -> None:
    project = cast.project_a1
    sponsor = cast.outsider
    project.sponsor = sponsor
    project.save()
    sponsor_pk = sponsor.pk
    Project.objects.filter(pk=project.pk).update(sponsor=None)  # so the person can go
    sponsor.delete()
    response = cast.client_for(cast.pmo).get(reverse("history", args=["project", project.pk]))
    fields = {c.field: (c.old, c.new) for c in response.context["timeline"][0].changes}
    assert fields["Sponsor"] == (None, f"person #{sponsor_pk} (deleted)")
