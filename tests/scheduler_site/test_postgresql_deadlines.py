"""Our PostgreSQL backend gives up on a silent server (scheduler_site/postgresql/base.py).

A server stopped with SIGSTOP is the hard case: its kernel accepts connections and
acknowledges what we send, so only a deadline of our own ends the wait. These tests run a
PostgreSQL of their own (tests/postgres_server.py) and hang it for real.
"""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError
from django.db.utils import load_backend

from tests.postgres_server import PostgresServer, postgres_bin

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def server():
    if postgres_bin() is None:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    server = PostgresServer()
    try:
        server.create()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def database(server, django_db_blocker):
    """A Django connection to the server, as settings would make it from DATABASE_URL
    with DATABASE_STATEMENT_TIMEOUT=1 and DATABASE_CONNECT_TIMEOUT=2."""
    from scheduler_site import environment

    config = environment.database(
        {
            "DATABASE_URL": server.url,
            "DATABASE_STATEMENT_TIMEOUT": "1",
            "DATABASE_CONNECT_TIMEOUT": "2",
        },
        "DATABASE_URL",
        None,
    )
    config.update(TIME_ZONE=None, AUTOCOMMIT=True, ATOMIC_REQUESTS=False, TEST={})
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias="own")
    try:
        with django_db_blocker.unblock():  # this is not the test database
            yield wrapper
    finally:
        server.resume()
        wrapper.close()


def query(database, sql: str = "SELECT 1"):
    with database.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def timed(action):
    started = time.monotonic()
    try:
        action()
    except OperationalError as exc:
        return time.monotonic() - started, exc
    return time.monotonic() - started, None


def test_a_query_to_a_hung_server_fails_after_the_statement_timeout_and_a_second(database, server):
    assert query(database) == (1,)
    server.pause()
    took, error = timed(lambda: query(database))
    assert error is not None and "did not answer within 2.0 s" in str(error)
    assert 1.9 < took < 3.0
    server.resume()
    database.close_if_unusable_or_obsolete()  # what Django does at the end of the request
    assert query(database) == (1,)  # a fresh connection, at once


def test_a_new_connection_to_a_hung_server_fails_after_the_connect_timeout(database, server):
    server.pause()
    took, error = timed(lambda: query(database))
    assert error is not None
    assert took < 3.0
    server.resume()
    assert query(database) == (1,)


def test_answer_within_shortens_the_wait_for_one_block(database, server):
    assert query(database) == (1,)
    server.pause()
    with database.answer_within(0.3):
        took, error = timed(lambda: query(database))
    assert error is not None and took < 0.8


def test_a_kept_connection_that_stays_silent_fails_the_request_without_a_reconnect(
    database, server
):
    """Django checks a kept connection before a request's first query; when the server
    takes the check and stays silent, the request fails then (2 s) instead of waiting
    for a new connection as well."""
    assert query(database) == (1,)
    database.health_check_enabled, database.health_check_done = True, False
    server.pause()
    took, error = timed(lambda: query(database))
    assert error is not None and "did not answer within 2.0 s" in str(error)
    assert took < 2.8
    assert database.connection is None


def test_the_server_gives_up_on_a_long_statement_by_itself(database):
    took, error = timed(lambda: query(database, "SELECT pg_sleep(5)"))
    assert error is not None and "statement timeout" in str(error)
    assert took < 1.8  # the server's statement_timeout (1 s) answered before our deadline
