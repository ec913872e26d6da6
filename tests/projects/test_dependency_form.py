"""The dependency editor offers, on each side, only the chosen project's milestones by date,
fetches them again when the project changes, and still refuses another project's milestone."""

import re
from datetime import date

from django.test import Client
from django.urls import reverse

from projects.forms import DependencyForm
from projects.models import Dependency
from tests.conftest import Cast
from tests.factories import MilestoneFactory


def _options(html: str) -> list[str]:
    """The option labels of a rendered select, in order."""
    return re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", html)


def test_each_milestone_dropdown_lists_its_projects_milestones_by_date(cast: Cast) -> None:
    MilestoneFactory(project=cast.project_a1, name="Go live", baseline_date=date(2027, 3, 1))
    MilestoneFactory(project=cast.project_a1, name="Design", baseline_date=date(2026, 9, 1))
    MilestoneFactory(project=cast.project_a1_sibling, name="Other", baseline_date=date(2026, 1, 1))
    assert cast.pmo.user is not None
    form = DependencyForm(initial={"upstream": cast.project_a1.pk}, user=cast.pmo.user)
    upstream = str(form["upstream_milestone"])
    assert _options(upstream) == ["Design (1 Sep 2026)", "Go live (1 Mar 2027)"]
    assert _options(str(form["downstream_milestone"])) == []  # no project chosen yet


def test_choosing_a_project_fetches_its_milestones_for_that_side(cast: Cast) -> None:
    MilestoneFactory(project=cast.project_a1, name="Design", baseline_date=date(2026, 9, 1))
    MilestoneFactory(project=cast.project_a1_sibling, name="Other", baseline_date=date(2026, 1, 1))
    client = cast.client_for(cast.pmo)
    url = reverse("projects:dependency-milestones", args=["downstream"])
    response = client.get(url, {"downstream": cast.project_a1_sibling.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="div_id_downstream_milestone"')
    assert 'name="downstream_milestone"' in html
    assert _options(html) == ["Other (1 Jan 2026)"]


def test_the_project_dropdowns_ask_for_the_milestones_when_changed(cast: Cast) -> None:
    page = cast.client_for(cast.pmo).get(reverse("projects:dependency-create")).content.decode()
    url = reverse("projects:dependency-milestones", args=["upstream"])
    assert f'hx-get="{url}"' in page
    assert 'hx-target="#div_id_upstream_milestone"' in page
    assert "<script>" not in page.split("<main", 1)[-1] and "hx-on" not in page


def test_the_fragment_lists_nothing_of_a_project_the_user_cannot_see(cast: Cast) -> None:
    MilestoneFactory(project=cast.project_b1, name="Hidden", baseline_date=date(2026, 9, 1))
    client = cast.client_for(cast.programme_manager)
    url = reverse("projects:dependency-milestones", args=["upstream"])
    html = client.get(url, {"upstream": cast.project_b1.pk}).content.decode()
    assert "Hidden" not in html


def test_an_unknown_side_is_not_found(cast: Cast) -> None:
    url = reverse("projects:dependency-milestones", args=["sideways"])
    assert cast.client_for(cast.pmo).get(url).status_code == 404


def test_a_milestone_of_the_other_project_is_still_refused_with_the_reason(cast: Cast) -> None:
    other = MilestoneFactory(project=cast.project_a1_sibling, name="Theirs")
    client: Client = cast.client_for(cast.pmo)
    response = client.post(
        reverse("projects:dependency-create"),
        {
            "upstream": cast.project_a1.pk,
            "upstream_milestone": other.pk,
            "downstream": cast.project_a1_sibling.pk,
            "kind": "fs",
            "lag_days": 0,
        },
    )
    assert response.status_code == 400
    assert "Theirs is a milestone of" in response.content.decode()
    assert not Dependency.objects.exists()
