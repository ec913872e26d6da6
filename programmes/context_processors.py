from typing import Any

from django.http import HttpRequest

from portfolio.core.navigation import NavMenu, nav_for
from programmes.models import roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not hasattr(request, "user") or not request.user.is_authenticated:
        return {}
    roles = roles_of(request.user)
    entries = nav_for(roles)
    current = next(
        (e.label for e in entries if isinstance(e, NavMenu) and e.holds(request.path)), ""
    )
    return {"nav_items": entries, "nav_current_menu": current, "user_roles": roles}
