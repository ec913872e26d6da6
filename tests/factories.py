from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from programmes.models import Benefit, BenefitMeasurement, Person, Portfolio, Programme, Team
from projects.models import Allocation, Dependency, Issue, Milestone, Project, Risk

PASSWORD = "correct-horse-battery"
# A status report's ratings, every one green.
GREEN = {name: "green" for name in ("schedule", "cost", "scope", "resources", "risk", "overall")}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Faker("name")
    user = factory.SubFactory(UserFactory)


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    code = factory.Sequence(lambda n: f"PF{n}")
    name = factory.Sequence(lambda n: f"Portfolio {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    portfolio = factory.SubFactory(PortfolioFactory)
    code = factory.Sequence(lambda n: f"PG{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    budget = Decimal("1000000")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    programme = factory.SubFactory(ProgrammeFactory)
    portfolio = factory.LazyAttribute(
        lambda p: p.programme.portfolio if p.programme else PortfolioFactory()
    )
    code = factory.Sequence(lambda n: f"PR{n}")
    name = factory.Sequence(lambda n: f"Project {n}")
    baseline_start = date(2026, 1, 5)
    baseline_finish = date(2026, 12, 18)
    budget = Decimal("250000")
    spend_to_date = Decimal("100000")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Milestone {n}")
    baseline_date = date(2026, 6, 1)


class DependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dependency

    upstream = factory.SubFactory(ProjectFactory)
    downstream = factory.SubFactory(ProjectFactory)


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    person = factory.SubFactory(PersonFactory, user=None)
    project = factory.SubFactory(ProjectFactory)
    start_date = date(2026, 2, 1)
    finish_date = factory.LazyAttribute(lambda a: a.start_date + timedelta(days=90))
    percent = 50


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Risk {n}")
    probability = 3
    impact = 3


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Issue {n}")


class BenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benefit

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Benefit {n}")
    measure = "cases closed"
    baseline = Decimal(0)
    target = Decimal(100)
    target_date = date(2027, 12, 31)


class BenefitMeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitMeasurement

    benefit = factory.SubFactory(BenefitFactory)
    measured_on = factory.Sequence(lambda n: date(2026, 1, 1) + timedelta(days=n))
    value = Decimal(40)
