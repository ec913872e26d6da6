"""The strategic layer: portfolios, programmes, people and teams, benefits, stakeholders.

Who may see what is decided here, in QuerySet methods (`visible_to`, `editable_by`,
`managed_by`, `led_by`), and nowhere else: pages, fragments, exports and the API all start
from them, and the action predicates of programmes/access.py are built from them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, Q
from django.urls import reverse
from django.utils import dateformat, timezone
from simple_history.models import HistoricalRecords

from portfolio.core import benefits as progress
from portfolio.core.roles import Role

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser


# Where `roles_of` keeps its answer on the user object, as Django keeps permissions
# (`_perm_cache`): a request loads its user afresh, so the answer lives for one request,
# in which the navigation and the page cache's viewer profile both ask.
_ROLES_MEMO = "_roles_memo"


def roles_of(user: AnyUser) -> list[Role]:
    if not user.is_authenticated:
        return []
    memo: list[Role] | None = getattr(user, _ROLES_MEMO, None)
    if memo is None:
        person = person_for(user)
        memo = person.roles() if person else []
        if getattr(user, "is_superuser", False) and Role.PMO not in memo:
            memo.insert(0, Role.PMO)
        setattr(user, _ROLES_MEMO, memo)
    return list(memo)


def person_for(user: AnyUser) -> Person | None:
    """The Person behind a login, or None for anonymous users and bare accounts."""
    if not user.is_authenticated:
        return None
    try:
        return user.person  # type: ignore[attr-defined]
    except Person.DoesNotExist:
        return None


def sees_everything(user: AnyUser) -> bool:
    """PMO staff (and superusers, for the admin fallback) read and write every portfolio."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    person = person_for(user)
    return person is not None and person.access == Person.Access.PMO


class ArchivableQuerySet(models.QuerySet):
    def active(self) -> Self:
        return self.filter(archived_at__isnull=True)


class Archivable(models.Model):
    """Rows users archive rather than delete, so history and links stay intact."""

    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self) -> None:
        self.archived_at = timezone.now()
        self.save(update_fields=["archived_at"])

    def restore(self) -> None:
        self.archived_at = None
        self.save(update_fields=["archived_at"])


class PmoEditableQuerySet(ArchivableQuerySet):
    def editable_by(self, user: AnyUser) -> Self:
        """Organisation set-up (portfolios, people, teams) is the PMO's."""
        return self if sees_everything(user) else self.none()


class PoolQuerySet(PmoEditableQuerySet):
    """People and teams: the shared resource pool."""

    def visible_to(self, user: AnyUser) -> Self:
        # The pool is shared organisation-wide: anyone with a role may see it.
        if sees_everything(user) or person_for(user) is not None:
            return self
        return self.none()


class Team(Archivable):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    objects = PoolQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def capacity_hours(self) -> Decimal:
        """Weekly hours of the team's active members (uses prefetched members if present)."""
        return sum(
            (m.weekly_capacity_hours for m in self.members.all() if m.archived_at is None),
            Decimal(0),
        )


class Person(Archivable):
    """Someone in the shared resource pool; may or may not have a login."""

    class Access(models.TextChoices):
        PMO = "pmo", "PMO"
        EXECUTIVE = "executive", "Executive"
        STAFF = "staff", "Staff"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    weekly_capacity_hours = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=Decimal("37.5"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(168))],
    )
    access = models.CharField(max_length=16, choices=Access, default=Access.STAFF)

    objects = PoolQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_capacity_hours__gte=0, weekly_capacity_hours__lte=168),
                name="person_capacity_within_a_week",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:person-detail", args=[self.pk])

    def roles(self) -> list[Role]:
        """What this person does here, most far-reaching first."""
        roles = []
        if self.access == self.Access.PMO:
            roles.append(Role.PMO)
        if self.access == self.Access.EXECUTIVE:
            roles.append(Role.EXECUTIVE)
        manages, leads = self.management()
        if manages:
            roles.append(Role.PROGRAMME_MANAGER)
        if leads:
            roles.append(Role.PROJECT_MANAGER)
        return roles

    def management(self) -> tuple[bool, bool]:
        """Whether this person manages a programme, and a project: loaded with the login on
        each request (`management_of_login`), else asked now in one round trip."""
        loaded = getattr(self, "loaded_management", None)
        if loaded is not None:
            return loaded
        manages, leads = (
            Person.objects.filter(pk=self.pk)
            .values_list(Exists(self.managed_programmes.all()), Exists(self.managed_projects.all()))
            .get()
        )
        return bool(manages), bool(leads)

    @staticmethod
    def management_of_login() -> dict[str, Exists]:
        """`management()` as annotations of a User query: every page's navigation asks it,
        so the session's user, their person and these come in one query (each an index
        probe on the joined person's id)."""
        person = models.OuterRef("person__id")
        projects = Person._meta.get_field("managed_projects").related_model
        return {
            "manages_programmes": Exists(Programme.objects.filter(manager_id=person)),
            "manages_projects": Exists(projects._default_manager.filter(manager_id=person)),
        }


class PortfolioQuerySet(PmoEditableQuerySet):
    def visible_to(self, user: AnyUser) -> Self:
        if sees_everything(user):
            return self
        person = person_for(user)
        if person is None:
            return self.none()
        return self.filter(
            Q(pk__in=person.executive_portfolios.values("pk"))
            | Q(pk__in=Programme.objects.filter(manager=person).values("portfolio"))
            | Q(pk__in=person.managed_projects.values("portfolio"))
        )

    def with_programme_count(self) -> Self:
        return self.annotate(
            programme_count=models.Count(
                "programmes", filter=Q(programmes__archived_at__isnull=True)
            )
        )


class Portfolio(Archivable):
    class RatingScale(models.TextChoices):
        THREE_POINT = "rag3", "Green / amber / red"
        DCA = "dca5", "Delivery confidence (five-point)"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    rating_scale = models.CharField(
        max_length=8, choices=RatingScale, default=RatingScale.THREE_POINT
    )
    executives = models.ManyToManyField(Person, blank=True, related_name="executive_portfolios")
    external_id = models.CharField(max_length=64, blank=True, db_index=True)

    objects = PortfolioQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[executives])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:portfolio-detail", args=[self.pk])

    @property
    def policy(self) -> HealthPolicy:
        """The portfolio's health policy, or the defaults while PMO has not saved one."""
        try:
            return self.health_policy
        except HealthPolicy.DoesNotExist:
            return HealthPolicy(portfolio=self)


class HealthPolicy(models.Model):
    """Thresholds and roll-up rules a portfolio's PMO sets; the health engine reads them."""

    class Overbooking(models.TextChoices):
        WARN = "warn", "Save it and warn"
        REFUSE = "refuse", "Refuse it"

    class Rollup(models.TextChoices):
        WORST_OF = "worst_of", "Worst of its parts"
        BUDGET_WEIGHTED = "budget_weighted", "Weighted by budget"
        RED_SHARE = "red_share", "Red when a share of parts is red"

    portfolio = models.OneToOneField(
        Portfolio, on_delete=models.CASCADE, related_name="health_policy"
    )
    rollup = models.CharField(max_length=20, choices=Rollup, default=Rollup.WORST_OF)
    red_share_percent = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    schedule_amber_days = models.PositiveIntegerField(default=14)
    schedule_red_days = models.PositiveIntegerField(default=30)
    cost_amber_percent = models.PositiveIntegerField(default=5)
    cost_red_percent = models.PositiveIntegerField(default=10)
    risk_amber_score = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(25)]
    )
    risk_red_score = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(25)]
    )
    stale_after_days = models.PositiveIntegerField(default=14)
    report_due_weekday = models.PositiveSmallIntegerField(
        default=4,
        validators=[MaxValueValidator(6)],
        help_text="0 = Monday … 6 = Sunday",
    )
    report_grace_days = models.PositiveSmallIntegerField(default=2)
    overbooking = models.CharField(
        "Over-booking a person",
        max_length=8,
        choices=Overbooking,
        default=Overbooking.WARN,
        help_text="When a booking takes someone above 100 % of their capacity in a week.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "health policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(red_share_percent__gte=1, red_share_percent__lte=100),
                name="policy_red_share_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=Q(schedule_red_days__gte=models.F("schedule_amber_days")),
                name="policy_schedule_red_beyond_amber",
            ),
            models.CheckConstraint(
                condition=Q(cost_red_percent__gte=models.F("cost_amber_percent")),
                name="policy_cost_red_beyond_amber",
            ),
            models.CheckConstraint(
                condition=Q(risk_red_score__gte=models.F("risk_amber_score"))
                & Q(risk_red_score__lte=25),
                name="policy_risk_red_beyond_amber",
            ),
            models.CheckConstraint(
                condition=Q(report_due_weekday__lte=6), name="policy_due_weekday_in_week"
            ),
        ]

    def __str__(self) -> str:
        return f"Health policy of {self.portfolio}"

    def clean(self) -> None:
        # Field-keyed twins of the "red beyond amber" CheckConstraints, so the PMO's form
        # shows the message next to the red threshold rather than as a non-field error.
        errors: dict[str, str] = {}
        for amber_field, red_field, unit in (
            ("schedule_amber_days", "schedule_red_days", " days"),
            ("cost_amber_percent", "cost_red_percent", "%"),
            ("risk_amber_score", "risk_red_score", ""),
        ):
            amber, red = getattr(self, amber_field), getattr(self, red_field)
            if isinstance(amber, int) and isinstance(red, int) and red < amber:
                errors[red_field] = f"Red must be at least the amber threshold ({amber}{unit})."
        if errors:
            raise ValidationError(errors)


class ProgrammeQuerySet(ArchivableQuerySet):
    def visible_to(self, user: AnyUser) -> Self:
        if sees_everything(user):
            return self
        person = person_for(user)
        if person is None:
            return self.none()
        return self.filter(
            Q(portfolio__in=person.executive_portfolios.values("pk"))
            | Q(manager=person)
            | Q(pk__in=person.managed_projects.values("programme"))
        )

    def led_by(self, user: AnyUser) -> Self:
        """The user's own programmes (as their programme manager)."""
        person = person_for(user)
        return self.filter(manager=person) if person else self.none()

    def managed_by(self, user: AnyUser) -> Self:
        """Programmes whose own records (benefits, risks, dependencies…) the user may write."""
        return self if sees_everything(user) else self.led_by(user)


class Programme(Archivable):
    class Stage(models.TextChoices):
        IDENTIFICATION = "identification", "Identification"
        DEFINITION = "definition", "Definition"
        DELIVERY = "delivery", "Delivery"
        CLOSURE = "closure", "Closure"
        CLOSED = "closed", "Closed"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="programmes")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    objective = models.TextField(blank=True)
    sponsor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    manager = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_programmes",
    )
    start_date = models.DateField(null=True, blank=True)
    finish_date = models.DateField(null=True, blank=True)
    budget = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    stage = models.CharField(max_length=16, choices=Stage, default=Stage.DEFINITION)
    external_id = models.CharField(max_length=64, blank=True, db_index=True)

    objects = ProgrammeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["portfolio__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "code"], name="programme_code_unique_in_portfolio"
            ),
            models.CheckConstraint(
                condition=Q(finish_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(finish_date__gte=models.F("start_date")),
                name="programme_finishes_after_start",
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0), name="programme_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", args=[self.pk])

    def is_managed_by(self, user: AnyUser) -> bool:
        return type(self).objects.managed_by(user).filter(pk=self.pk).exists()

    def clean(self) -> None:
        # Field-keyed twin of programme_finishes_after_start (see HealthPolicy.clean).
        start, finish = self.start_date, self.finish_date
        if isinstance(start, date) and isinstance(finish, date) and finish < start:
            raise ValidationError(
                {
                    "finish_date": "The finish date cannot be before the start "
                    f"({dateformat.format(start, 'j M Y')})."
                }
            )


class ProgrammeRecordQuerySet(models.QuerySet):
    """Benefits and stakeholders: read with the programme, written by its manager."""

    def visible_to(self, user: AnyUser) -> Self:
        return self.filter(programme__in=Programme.objects.visible_to(user))

    def editable_by(self, user: AnyUser) -> Self:
        return self.filter(programme__in=Programme.objects.managed_by(user))


class BenefitQuerySet(ProgrammeRecordQuerySet):
    def measured_until(self, day: date) -> Self:
        """The benefits with only the measurements taken by `day` prefetched, so their
        progress rule reads them as they stood that day."""
        return self.prefetch_related(
            models.Prefetch(
                "measurements", queryset=BenefitMeasurement.objects.filter(measured_on__lte=day)
            )
        )


class Benefit(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="benefits")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_benefits"
    )
    measure = models.CharField(max_length=200, help_text="What is measured, e.g. 'cases closed'")
    unit = models.CharField(max_length=40, blank=True)
    baseline = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    target = models.DecimalField(max_digits=16, decimal_places=2)
    target_date = models.DateField()

    objects = BenefitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["target_date", "name"]

    def __str__(self) -> str:
        return self.name

    # Progress: one rule for the dashboards, the programme page and the health roll-up.
    # 1. Realised: the latest measurement's share of the way from baseline to target, in
    #    whole percent; no measurement is unknown (None), never 0.
    # 2. Planned: a straight line from the baseline on the programme's start date (else,
    #    when the programme has none, on the first measurement) to the target on the target
    #    date; unknown when neither date is known.
    # 3. Behind: the planned share today minus the realised share.
    # Measurements are read through `measurements.all()`, so prefetch them for many rows;
    # the programme comes free from `programme.benefits`, else select_related("programme").

    def latest_measurement(self) -> BenefitMeasurement | None:
        """The most recent measurement; reads prefetched rows when the page prefetched them."""
        return max(self.measurements.all(), key=lambda m: m.measured_on, default=None)

    def plan_start(self) -> date | None:
        """The day the plan leaves the baseline: the programme's start, else the first
        measurement."""
        if self.programme.start_date is not None:
            return self.programme.start_date
        first = min(self.measurements.all(), key=lambda m: m.measured_on, default=None)
        return first.measured_on if first else None

    def planned_value(self, on: date | None = None) -> Decimal | None:
        """Where the plan says the measure should be on that day (today by default)."""
        start = self.plan_start()
        if start is None:
            return None
        return progress.planned_value(
            baseline=self.baseline,
            target=self.target,
            start=start,
            target_date=self.target_date,
            on=on or timezone.localdate(),
        )

    def share_of_target(self, value: Decimal | None) -> int | None:
        """A value as a whole percentage of the way from baseline to target."""
        if value is None:
            return None
        return progress.share_of_target(value=value, baseline=self.baseline, target=self.target)

    @property
    def realised_percent(self) -> int | None:
        """The latest measurement's share of the target; None without a measurement."""
        latest = self.latest_measurement()
        return self.share_of_target(latest.value if latest else None)

    def planned_percent(self, on: date | None = None) -> int | None:
        """The plan's share of the target on that day (today by default)."""
        return self.share_of_target(self.planned_value(on))

    def behind_percent(self, on: date | None = None) -> int | None:
        """Percentage points the realised share trails the plan (negative: ahead)."""
        realised, planned = self.realised_percent, self.planned_percent(on)
        if realised is None or planned is None:
            return None
        return planned - realised

    def missed_target(self, on: date | None = None) -> bool:
        """Past its target date with the target not reached (as far as measured)."""
        realised = self.realised_percent
        on = on or timezone.localdate()
        return realised is not None and on > self.target_date and realised < 100


class BenefitMeasurement(models.Model):
    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["benefit", "measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["benefit", "measured_on"], name="one_measurement_per_benefit_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.benefit}: {self.value} on {self.measured_on}"

    def clean(self) -> None:
        # The form does not carry `benefit`, so Django skips the unique constraint: check here.
        same_day = BenefitMeasurement.objects.filter(
            benefit_id=self.benefit_id, measured_on=self.measured_on
        ).exclude(pk=self.pk)
        if self.benefit_id and self.measured_on and same_day.exists():
            raise ValidationError(
                {"measured_on": "This benefit already has a measurement on that day."}
            )


class Stakeholder(models.Model):
    class Engagement(models.TextChoices):
        UNAWARE = "unaware", "Unaware"
        RESISTANT = "resistant", "Resistant"
        NEUTRAL = "neutral", "Neutral"
        SUPPORTIVE = "supportive", "Supportive"
        LEADING = "leading", "Leading"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    influence = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    interest = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    current_engagement = models.CharField(
        max_length=16, choices=Engagement, default=Engagement.NEUTRAL
    )
    desired_engagement = models.CharField(
        max_length=16, choices=Engagement, default=Engagement.SUPPORTIVE
    )
    notes = models.TextField(blank=True)

    objects = ProgrammeRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-influence", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=5, interest__gte=1, interest__lte=5),
                name="stakeholder_scores_one_to_five",
            )
        ]

    def __str__(self) -> str:
        return self.name
