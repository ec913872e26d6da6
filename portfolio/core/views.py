"""Site plumbing views that know no domain."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET

from portfolio.core.forms import search_names


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def choices_search(request: HttpRequest, kind: str) -> HttpResponse:
    """The `<option>`s of a SearchableSelect's datalist: the names of the rows of `kind` the
    viewer may see that contain what was typed (sent under the field's own name, as htmx
    sends an input's value; `field` says which)."""
    text = request.GET.get(request.GET.get("field", "q"), "")
    try:
        names = search_names(kind, request.user, text)
    except LookupError:
        raise Http404("No such search") from None
    return HttpResponse(format_html_join("", '<option value="{}"></option>', ((n,) for n in names)))
