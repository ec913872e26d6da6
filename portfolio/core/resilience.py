"""A read that lost its database connection mid-request is answered once more on a fresh
one, instead of with a 500: a database restart then costs readers nothing but time. A write
that PostgreSQL cancelled for another's sake is told so (`is_write_conflict`; the friendly
errors draw its page)."""

from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_LOST = "_database_connection_lost"
# The SQLSTATEs of a transaction PostgreSQL cancelled so that another could go on (deadlock,
# serialization failure, lock wait timeout): it stored nothing, and sent again it will most
# likely succeed.
_CONFLICT_STATES = frozenset({"40P01", "40001", "55P03"})


def is_write_conflict(exception: BaseException) -> bool:
    return (
        isinstance(exception, OperationalError)
        and getattr(exception.__cause__, "sqlstate", None) in _CONFLICT_STATES
    )


class RetryReadsOnLostConnection:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, _LOST, False) and request.method in SAFE_METHODS:
            setattr(request, _LOST, False)
            for connection in connections.all(initialized_only=True):
                connection.close()
            response = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Writes are not repeated: the client may not know whether the first one landed.
        if isinstance(exception, OperationalError | InterfaceError):
            setattr(request, _LOST, True)
