"""/healthz: up, with a database that answers."""

from __future__ import annotations

from django.db import DatabaseError


def test_it_answers_ok_with_one_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert "no-cache" in response["Cache-Control"]


def test_it_says_503_when_the_database_does_not_answer(client, db, monkeypatch):
    from bookings.models import Booking

    def broken(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(type(Booking.objects), "exists", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_it_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405
