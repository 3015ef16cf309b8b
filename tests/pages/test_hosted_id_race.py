"""Creations racing for one hosted id: one wins, every other one is told the id is
taken (IdTaken, the API's 409), never an IntegrityError (a 500)."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, transaction

from pages import services
from pages.models import Grant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RACERS = 6


def test_racers_for_one_grant_id_get_one_grant_and_id_taken(db):
    grant_id = uuid.uuid4()
    barrier = threading.Barrier(RACERS)
    results: list[str] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            services.create_grant(email=f"racer{i}@example.com", grant_id=grant_id)
            results.append("created")
        except services.IdTaken:
            results.append("taken")
        except Exception as error:  # what the test is about: no other outcome
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["created"] + ["taken"] * (RACERS - 1)
    assert Grant.objects.filter(pk=grant_id).count() == 1


def test_an_insert_that_finds_the_id_taken_is_id_taken_and_the_transaction_goes_on(db):
    """The backstop a racer meets once past the check: the primary key refuses the row."""
    first, _ = services.create_grant(email="first@example.com")
    with transaction.atomic():
        late = Grant(pk=first.pk, email="late@example.com")
        with pytest.raises(services.IdTaken):
            services.insert_with_chosen_id(late, first.pk, "grant")
        assert Grant.objects.count() == 1  # the transaction is still usable
