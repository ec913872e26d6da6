"""Friendly error pages, in the site layout, in every mode.

Django's handlers (`handler400`… in portfolio/urls.py) draw them when DEBUG is off. Under
`make run` (DEBUG on) Django would answer the app's own refusals — a PermissionDenied, an
Http404 or a BadRequest raised by a view — with its debug pages; `FriendlyErrorsMiddleware`
draws the same friendly page for those instead, so a newcomer meets what a user will. A
genuine failure (500) keeps its debug traceback under DEBUG.
"""

from collections.abc import Callable

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template import loader
from django.template.response import TemplateResponse
from django_htmx.http import reswap

from portfolio.core.resilience import SAFE_METHODS, is_write_conflict

# What each page says when the refusal carries no words of its own.
DEFAULT_MESSAGES = {
    400: "The request could not be understood.",
    403: "Your role does not include this page.",
    404: "There is no such page, or it is not one you can see.",
    503: "Your change met another one saved at the same moment, and was not saved.",
}


def _error_page(request: HttpRequest, status: int, exception: Exception | None) -> HttpResponse:
    # Words the app chose (raise PermissionDenied("…")) are shown; Django's own resolver
    # messages (a dict for an unmatched URL) are not.
    words = exception.args[0] if exception and exception.args else ""
    message = words if isinstance(words, str) and words else DEFAULT_MESSAGES[status]
    response = TemplateResponse(
        request, f"{status}.html", {"message": message, "status": status}, status=status
    )
    response.render()
    if getattr(request, "htmx", False):
        # htmx swaps a 400 (a refused form): never put a whole error page inside a fragment.
        reswap(response, "none")
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400, exception)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, exception)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Drawn when something failed, perhaps the database itself: no request context (the
    navigation and the signed-in user come from the database), only the template."""
    return HttpResponse(loader.get_template("500.html").render(), status=500)


PAGES: dict[type[Exception], Callable[[HttpRequest, Exception], HttpResponse]] = {
    BadRequest: bad_request,
    PermissionDenied: permission_denied,
    Http404: page_not_found,
}


def write_conflict(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A write PostgreSQL cancelled for another's sake (a deadlock): nothing was stored and
    sending it again will most likely work, so say that, not "something went wrong"."""
    response = _error_page(request, 503, None)
    response["Retry-After"] = "1"
    return response


class FriendlyErrorsMiddleware:
    """The app's refusals raised by views become the friendly pages, DEBUG or not; so does a
    write cancelled by the database for another's sake."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        for kind, page in PAGES.items():
            if isinstance(exception, kind):
                return page(request, exception)
        if request.method not in SAFE_METHODS and is_write_conflict(exception):
            return write_conflict(request, exception)
        return None  # a read is tried once more on a fresh connection (resilience)
