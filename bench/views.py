"""The benchmark's yardstick (bench/): the cheapest page there is, behind the same
middleware and login as every other, so a page's time can be compared with it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")
