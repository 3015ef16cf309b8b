"""Django's PostgreSQL backend, with a client-side deadline on every round trip.

Why: a PostgreSQL that hangs (stopped by SIGSTOP, a frozen VM, a network path that drops
packets) still has its kernel accepting connections and acknowledging what we send, so
neither TCP keepalives nor ``tcp_user_timeout`` notice anything, and the server cannot
enforce its own ``statement_timeout`` while it is stopped. Without a limit on our side a
query waits forever and gunicorn kills the worker after 30 s with no answer to the client.

So every wait for the server's answer (a query, a commit, Django's health check) has a
deadline: ``DATABASE_STATEMENT_TIMEOUT`` plus a second of grace, by which the server's own
timeout would have answered if it could. A wait that passes it closes the connection
(its protocol state is unknown) and raises ``OperationalError``, which the site answers
with a 503. ``connect_timeout`` (``DATABASE_CONNECT_TIMEOUT``) bounds a new connection the
same way; psycopg will not wait less than 2 s for one.

``connection.answer_within(seconds)`` shortens the deadline for a block (``/healthz``).
"""

from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager

import psycopg
from django.db.backends.postgresql import base
from psycopg import errors

# Django's health check of a kept connection is a ``SELECT 1``: a server that needs more
# than this to answer it is as good as down, and the request should learn it in seconds.
HEALTH_CHECK_SECONDS = 2.0
# What psycopg allows as the shortest connect_timeout.
SHORTEST_CONNECT_TIMEOUT = 2

_limits = threading.local()


def _block_remaining() -> float | None:
    """Seconds left in the innermost ``answer_within`` block of this thread, if any."""
    ends = getattr(_limits, "ends", None)
    return None if not ends else max(0.0, ends[-1] - time.monotonic())


class ServerSilent(errors.OperationalError):
    """The server took our request and did not answer before the deadline."""


class DeadlineConnection(psycopg.Connection):
    """A psycopg connection whose waits for the server end at a deadline."""

    # Seconds one wait may last when no block says otherwise (None: no limit). Set per
    # connection by DatabaseWrapper from DATABASE_STATEMENT_TIMEOUT.
    wait_limit: float | None = None

    def wait(self, gen, interval=0.1, timeout=None):
        if timeout is not None:  # psycopg's own bounded waits (notifies) handle their end
            return super().wait(gen, interval=interval, timeout=timeout)
        limit = self.wait_limit
        remaining = _block_remaining()
        if remaining is not None:
            limit = remaining if limit is None else min(limit, remaining)
        try:
            return super().wait(gen, interval=interval, timeout=limit)
        except errors._WaitTimeout:  # psycopg's own "the wait ran out"
            # The server has our request and we never read its answer: the connection
            # cannot be used again.
            self.close()
            raise ServerSilent(
                f"The database did not answer within {limit:.1f} s; connection closed."
            ) from None


class _PsycopgMakingDeadlineConnections:
    """psycopg as Django's backend sees it, except that connect() makes a
    DeadlineConnection (Django's get_new_connection calls ``self.Database.connect``)."""

    connect = DeadlineConnection.connect

    def __getattr__(self, name):
        return getattr(psycopg, name)


class DatabaseWrapper(base.DatabaseWrapper):
    Database = _PsycopgMakingDeadlineConnections()

    def get_new_connection(self, conn_params):
        remaining = _block_remaining()
        if remaining is not None:
            configured = int(conn_params.get("connect_timeout") or 0) or math.inf
            shortest = max(SHORTEST_CONNECT_TIMEOUT, math.ceil(remaining))
            conn_params = {**conn_params, "connect_timeout": min(configured, shortest)}
        connection = super().get_new_connection(conn_params)
        statement_seconds = self.settings_dict.get("STATEMENT_TIMEOUT_SECONDS") or 0
        connection.wait_limit = statement_seconds + 1.0 if statement_seconds else None
        return connection

    def is_usable(self):
        with self.answer_within(HEALTH_CHECK_SECONDS):
            return super().is_usable()

    def close_if_health_check_failed(self):
        """Django's check of a kept connection before a request's first query, except
        that a server that took the ``SELECT 1`` and stayed silent is not asked for a
        new connection straight away (it would stay silent for DATABASE_CONNECT_TIMEOUT
        more): the request fails now, and the next one connects afresh."""
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        self.health_check_done = True
        try:
            with self.answer_within(HEALTH_CHECK_SECONDS), self.connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except ServerSilent:
            self.close()
            with self.wrap_database_errors:
                raise
        except psycopg.Error:
            self.close()  # closed by the server (a restart): connect afresh

    @contextmanager
    def answer_within(self, seconds: float):
        """Every wait for the server inside the block, connecting included, ends by
        ``seconds`` from now (psycopg's shortest connect timeout, 2 s, aside)."""
        ends = _limits.__dict__.setdefault("ends", [])
        end = time.monotonic() + seconds
        ends.append(min(end, ends[-1]) if ends else end)  # an outer block's end holds
        try:
            yield
        finally:
            ends.pop()
