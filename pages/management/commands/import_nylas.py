"""``manage.py import_nylas FILE...``: grants and configurations exported from the hosted
service (JSON as its API returns them), with their ids and slugs (pages/api/nylas_import.py)."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pages.api import nylas_import


class Command(BaseCommand):
    help = (
        "Load grants and configurations from JSON files as the hosted Nylas API returns "
        "them (list responses, single objects, or bare objects and lists), keeping their "
        "ids and slugs. Says what it imported, what was already here and what it skipped "
        "and why. Safe to run again: what is here already is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="JSON files ('-': stdin)")

    def handle(self, *args, files: list[str], **options):
        items = []
        # Every file is read before anything is imported: a file that cannot be read
        # stops the command with nothing changed.
        for name in files:
            try:
                text = sys.stdin.read() if name == "-" else Path(name).read_text("utf-8")
                items += nylas_import.objects_in(json.loads(text))
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"{name}: cannot be read ({error})") from None
            except json.JSONDecodeError as error:
                raise CommandError(f"{name}: is not JSON ({error})") from None
            except nylas_import.UnreadableExport as error:
                raise CommandError(f"{name}: {error}") from None
        outcomes = nylas_import.import_objects(items)
        for outcome in outcomes:
            self.stdout.write(outcome.line())
        counts = {
            status: sum(1 for o in outcomes if o.status == status)
            for status in (nylas_import.IMPORTED, nylas_import.ALREADY_HERE, nylas_import.SKIPPED)
        }
        summary = ", ".join(f"{n} {status}" for status, n in counts.items())
        if counts[nylas_import.IMPORTED] == 0:
            summary += ". Nothing changed."
        self.stdout.write(summary)
