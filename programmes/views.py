"""Pages of the strategic layer. Each view starts from a permission-scoped queryset:
`visible_to` for reading, `editable_by` / `managed_by` for writing (404 otherwise); an action
the role never has is refused (403) by the predicate the API asks (programmes/access.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from portfolio.core.capacity import load_window
from portfolio.core.editing import handle_form, toggle_archive
from portfolio.core.http import HtmxHttpRequest
from portfolio.core.listing import Listing
from programmes.access import (
    may_add_people,
    may_archive_programmes,
    may_create_portfolio,
    may_create_programme,
    may_edit_person,
    may_edit_portfolio,
    may_edit_programme,
    may_manage_teams,
)
from programmes.filters import PersonFilter, ProgrammeFilter
from programmes.forms import (
    BenefitForm,
    BenefitMeasurementForm,
    HealthPolicyForm,
    PersonForm,
    PortfolioForm,
    ProgrammeForm,
    StakeholderForm,
    TeamForm,
)
from programmes.models import (
    Benefit,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
)
from programmes.services import portfolio_create
from programmes.tables import PersonTable, ProgrammeTable

# Portfolios ---------------------------------------------------------------------------


@login_required
def portfolio_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    portfolio = get_object_or_404(Portfolio.objects.visible_to(request.user), pk=pk)
    programmes = (
        Programme.objects.visible_to(request.user)
        .active()
        .filter(portfolio=portfolio)
        .select_related("manager", "portfolio")
    )
    return render(
        request,
        "programmes/portfolio_detail.html",
        {
            "portfolio": portfolio,
            "programmes": programmes,
            "can_edit": may_edit_portfolio(request.user, portfolio),
        },
    )


@login_required
def portfolio_create_view(request: HtmxHttpRequest) -> HttpResponse:
    may_create_portfolio.require(request.user)
    form = PortfolioForm(request.POST or None, user=request.user)
    return handle_form(
        request,
        form,
        title="New portfolio",
        save=lambda f: portfolio_create(
            portfolio=f.save(commit=False), executives=f.cleaned_data["executives"]
        ),
        cancel_url=reverse("dashboards:portfolio-list"),
    )


@login_required
def portfolio_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    portfolio = get_object_or_404(Portfolio.objects.editable_by(request.user), pk=pk)
    form = PortfolioForm(request.POST or None, instance=portfolio, user=request.user)
    return handle_form(
        request, form, title=f"Edit {portfolio}", cancel_url=portfolio.get_absolute_url()
    )


@login_required
def portfolio_archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    portfolio = get_object_or_404(Portfolio.objects.editable_by(request.user), pk=pk)
    return toggle_archive(request, portfolio, success_url=portfolio.get_absolute_url())


@login_required
def health_policy_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    portfolio = get_object_or_404(Portfolio.objects.editable_by(request.user), pk=pk)
    # The defaults until saved: opening the page writes nothing.
    form = HealthPolicyForm(request.POST or None, instance=portfolio.policy)
    return handle_form(
        request,
        form,
        title=f"Health policy of {portfolio}",
        success_url=portfolio.get_absolute_url(),
        cancel_url=portfolio.get_absolute_url(),
    )


# Programmes ---------------------------------------------------------------------------


@login_required
def programme_list(request: HtmxHttpRequest) -> HttpResponse:
    return Listing(
        title="Programmes",
        queryset=Programme.objects.visible_to(request.user).select_related("portfolio", "manager"),
        filterset_class=ProgrammeFilter,
        table_class=ProgrammeTable,
        create_url=reverse("programmes:create") if may_create_programme(request.user) else None,
        create_label="New programme",
    ).respond(request)


@login_required
def my_programmes(request: HtmxHttpRequest) -> HttpResponse:
    return Listing(
        title="My programmes",
        queryset=Programme.objects.led_by(request.user).select_related("portfolio", "manager"),
        filterset_class=ProgrammeFilter,
        table_class=ProgrammeTable,
    ).respond(request)


@login_required
def programme_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    programme = get_object_or_404(
        Programme.objects.visible_to(user).select_related("portfolio", "manager", "sponsor"), pk=pk
    )
    # The delivery layer's rows, through the reverse relations it adds to Programme.
    projects = programme.projects.visible_to(user).select_related(
        "manager", "programme", "portfolio"
    )
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "projects": projects,
            "benefits": programme.benefits.select_related("owner").prefetch_related("measurements"),
            "stakeholders": programme.stakeholders.all(),
            "risks": programme.risks.select_related("project", "owner"),
            "issues": programme.issues.select_related("project", "owner"),
            "dependencies": programme.projects.incoming_dependencies().select_related(
                "upstream", "downstream", "upstream_milestone", "downstream_milestone"
            ),
            "can_manage": may_edit_programme(user, programme),
            # PMO's buttons: archive, and add a project (projects.access.may_create_project,
            # which this layer cannot import, is PMO's as well).
            "can_administer": may_archive_programmes(user),
        },
    )


@login_required
def programme_create(request: HtmxHttpRequest) -> HttpResponse:
    may_create_programme.require(request.user)
    initial = {"portfolio": request.GET.get("portfolio")}
    form = ProgrammeForm(request.POST or None, initial=initial, user=request.user)
    return handle_form(request, form, title="New programme", cancel_url=reverse("programmes:list"))


@login_required
def programme_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.managed_by(request.user), pk=pk)
    form = ProgrammeForm(request.POST or None, instance=programme, user=request.user)
    return handle_form(
        request, form, title=f"Edit {programme}", cancel_url=programme.get_absolute_url()
    )


@login_required
def programme_archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    may_archive_programmes.require(request.user)
    programme = get_object_or_404(Programme.objects.all(), pk=pk)
    return toggle_archive(request, programme, success_url=programme.get_absolute_url())


# Benefits and stakeholders -----------------------------------------------------------------


@login_required
def benefit_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.managed_by(request.user), pk=pk)
    form = BenefitForm(
        request.POST or None, instance=Benefit(programme=programme), user=request.user
    )
    return handle_form(
        request,
        form,
        title=f"New benefit of {programme}",
        success_url=programme.get_absolute_url(),
        cancel_url=programme.get_absolute_url(),
    )


@login_required
def benefit_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    benefit = get_object_or_404(Benefit.objects.editable_by(request.user), pk=pk)
    form = BenefitForm(request.POST or None, instance=benefit, user=request.user)
    url = benefit.programme.get_absolute_url()
    return handle_form(request, form, title=f"Edit {benefit}", success_url=url, cancel_url=url)


@login_required
def measurement_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    benefit = get_object_or_404(Benefit.objects.editable_by(request.user), pk=pk)
    form = BenefitMeasurementForm(request.POST or None)
    form.instance.benefit = benefit
    url = benefit.programme.get_absolute_url()
    return handle_form(
        request, form, title=f"Record a measurement of {benefit}", success_url=url, cancel_url=url
    )


@login_required
def stakeholder_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.managed_by(request.user), pk=pk)
    form = StakeholderForm(request.POST or None, instance=Stakeholder(programme=programme))
    url = programme.get_absolute_url()
    return handle_form(
        request, form, title=f"New stakeholder of {programme}", success_url=url, cancel_url=url
    )


@login_required
def stakeholder_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    stakeholder = get_object_or_404(Stakeholder.objects.editable_by(request.user), pk=pk)
    form = StakeholderForm(request.POST or None, instance=stakeholder)
    url = stakeholder.programme.get_absolute_url()
    return handle_form(request, form, title=f"Edit {stakeholder}", success_url=url, cancel_url=url)


# People and teams ----------------------------------------------------------------------


@login_required
def person_list(request: HtmxHttpRequest) -> HttpResponse:
    return Listing(
        title="People",
        queryset=Person.objects.visible_to(request.user).select_related("team"),
        filterset_class=PersonFilter,
        table_class=PersonTable,
        create_url=reverse("programmes:person-create") if may_add_people(request.user) else None,
        create_label="New person",
    ).respond(request)


@login_required
def person_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("team"), pk=pk
    )
    allocations = person.allocations.visible_to(request.user).select_related("project")
    today = timezone.localdate()
    return render(
        request,
        "programmes/person_detail.html",
        {
            "person": person,
            "allocations": allocations,
            # Every booking counts towards the load, also on projects this viewer may not
            # see: the same figure as the programme dashboard's heat map and health.
            "load": person.allocations.weekly_load(today).get(person.pk),
            "weeks": load_window(today),
            "can_edit": may_edit_person(request.user, person),
        },
    )


@login_required
def person_create(request: HtmxHttpRequest) -> HttpResponse:
    may_add_people.require(request.user)
    form = PersonForm(request.POST or None, user=request.user)
    return handle_form(
        request, form, title="New person", cancel_url=reverse("programmes:person-list")
    )


@login_required
def person_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.editable_by(request.user), pk=pk)
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    return handle_form(request, form, title=f"Edit {person}", cancel_url=person.get_absolute_url())


@login_required
def person_archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.editable_by(request.user), pk=pk)
    return toggle_archive(request, person, success_url=person.get_absolute_url())


@login_required
def team_list(request: HtmxHttpRequest) -> HttpResponse:
    may_manage_teams.require(request.user)
    teams = Team.objects.active().prefetch_related("members")
    return render(request, "programmes/team_list.html", {"teams": teams})


@login_required
def team_create(request: HtmxHttpRequest) -> HttpResponse:
    may_manage_teams.require(request.user)
    form = TeamForm(request.POST or None)
    url = reverse("programmes:team-list")
    return handle_form(request, form, title="New team", success_url=url, cancel_url=url)


@login_required
def team_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.editable_by(request.user), pk=pk)
    form = TeamForm(request.POST or None, instance=team)
    url = reverse("programmes:team-list")
    return handle_form(request, form, title=f"Edit {team}", success_url=url, cancel_url=url)
