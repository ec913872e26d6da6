"""PostgreSQL as `django.db.backends.postgresql`, except that opening a connection is
retried for a few seconds: while the server restarts (an upgrade, a failover) requests
wait for it instead of failing. Kept connections are checked before reuse
(CONN_HEALTH_CHECKS), so a restart costs each process one reconnect."""

import time
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        deadline = time.monotonic() + settings.DATABASE_CONNECT_RETRY_SECONDS
        while True:
            try:
                return super().get_new_connection(conn_params)
            except psycopg.OperationalError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)
