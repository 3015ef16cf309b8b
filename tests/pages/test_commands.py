from __future__ import annotations

import io

from django.core.management import call_command

from pages import tokens
from pages.models import ApiKey, Configuration, Grant, OpenHours, Participant


def test_create_api_key_prints_the_key_alone_on_its_last_line(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", "billing backend", stdout=out, stderr=err)
    last_line = out.getvalue().strip().splitlines()[-1]
    api_key = ApiKey.objects.get(name="billing backend")
    assert last_line.startswith("sk_") and " " not in last_line
    assert tokens.secret_matches(last_line, api_key.key_digest)


def test_seed_demo_twice_makes_no_duplicates(db):
    for _ in range(2):
        call_command("seed_demo", stdout=io.StringIO())
    assert Grant.objects.count() == 1
    assert Configuration.objects.filter(slug="demo").count() == 1
    assert Participant.objects.count() == 1
    hours = OpenHours.objects.get()
    assert (hours.days, hours.start_minute, hours.end_minute) == ([1, 2, 3, 4, 5], 540, 1020)
    assert hours.timezone == Grant.objects.get().timezone
    configuration = Configuration.objects.get()
    assert configuration.duration_minutes == 30
