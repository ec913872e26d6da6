from portfolio.demo.organisation import load_demo
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    HealthPolicy,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
)
from projects.models import Allocation, Dependency, Issue, Milestone, Project, Risk


def test_demo_has_a_believable_organisation(db: None) -> None:
    assert load_demo() is True
    assert Portfolio.objects.count() >= 2
    assert Programme.objects.count() >= 5
    assert Project.objects.count() >= 30
    assert not Project.objects.filter(manager__isnull=True).exists()
    for model in (
        Team,
        Person,
        HealthPolicy,
        Benefit,
        BenefitMeasurement,
        Stakeholder,
        Milestone,
        Dependency,
        Allocation,
        Risk,
        Issue,
    ):
        assert model.objects.exists(), model.__name__


def test_loading_the_demo_twice_adds_nothing(db: None) -> None:
    load_demo()
    counts = [m.objects.count() for m in (Person, Portfolio, Programme, Project, Risk)]
    assert load_demo() is False
    assert [m.objects.count() for m in (Person, Portfolio, Programme, Project, Risk)] == counts
