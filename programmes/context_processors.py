from typing import Any

from django.http import HttpRequest

from portfolio.core.navigation import nav_for
from programmes.models import roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not hasattr(request, "user") or not request.user.is_authenticated:
        return {}
    roles = roles_of(request.user)
    return {"nav_items": nav_for(roles), "user_roles": roles}
