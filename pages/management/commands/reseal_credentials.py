"""python manage.py reseal_credentials: connected grants' settings sealed with the first
key of SCHEDULER_ENCRYPTION_KEY (after putting a new key first), so the old key can go."""

from django.core.management.base import BaseCommand, CommandError

from pages.sync import sealing, services


class Command(BaseCommand):
    help = (
        "Re-seal every connected grant's credentials with the first key of "
        "SCHEDULER_ENCRYPTION_KEY (key rotation: put the new key first, run this, then "
        "remove the old key)."
    )

    def handle(self, *args, **options):
        try:
            count = services.reseal_all()
        except sealing.Unreadable as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{count} grant(s) re-sealed with the first key.")
