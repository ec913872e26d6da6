"""The history tab: who changed what, and when."""

from django.urls import reverse

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
