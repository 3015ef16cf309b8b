"""python manage.py sync_calendars [--grant ID]: one sync pass in the foreground."""

import contextlib
import uuid

from django.core.management.base import BaseCommand, CommandError

from pages.models import Grant
from pages.sync import passes


class Command(BaseCommand):
    help = (
        "Sync connected grants' calendars now, in the foreground: every connected grant, "
        "or the one given (by id or email). Prints what each pass did."
    )

    def add_arguments(self, parser):
        parser.add_argument("--grant", help="A grant's id or email address")

    def handle(self, *args, grant=None, **options):
        grants = Grant.objects.exclude(provider=Grant.Provider.VIRTUAL_CALENDAR).order_by("email")
        if grant:
            chosen = grants.filter(email__iexact=grant)
            with contextlib.suppress(ValueError):  # not an id: the email alone
                chosen = chosen | grants.filter(pk=uuid.UUID(grant))
            if not chosen.exists():
                raise CommandError(f"No connected grant with id or email {grant!r}.")
            grants = chosen
        failed = 0
        for one in grants:
            if one.grant_status != Grant.Status.VALID:
                self.stdout.write(
                    f"{one.email}: invalid ({one.last_sync_error or 'credentials refused'}); "
                    "give it new credentials with PATCH /v3/grants/{id} or in the admin"
                )
                failed += 1
                continue
            outcome = passes.sync_grant(one)
            line = (
                f"{one.email}: {outcome.calendars} calendar(s), {outcome.fetched} object(s) "
                f"fetched, {outcome.removed} removed"
            )
            if outcome.busy_elsewhere:
                line += f", {outcome.busy_elsewhere} being synced by another worker"
            if outcome.skipped:
                line += f", {len(outcome.skipped)} skipped ({outcome.skipped[0]}…)"
            self.stdout.write(line)
            for error in outcome.errors:
                self.stderr.write(f"{one.email}: {error}")
                failed += 1
        if failed:
            raise CommandError(f"{failed} problem(s): see above.")
