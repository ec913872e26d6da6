"""Who is who, as the rest of the code asks it. The roles of DESIGN.md 'Who may do what';
which a user holds is worked out from their Person (`programmes.models.roles_of`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


class Role(models.TextChoices):
    """The last two follow from assignments (a programme or project to manage)."""

    PMO = "pmo", "PMO"
    EXECUTIVE = "executive", "Executive"
    PROGRAMME_MANAGER = "programme_manager", "Programme manager"
    PROJECT_MANAGER = "project_manager", "Project manager"
