from django.core.management.base import BaseCommand, CommandError

from pages.services import create_api_key


class Command(BaseCommand):
    help = "Create an application API key. The key is printed once, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name", help="What the key is for, e.g. 'billing backend'")

    def handle(self, *args, name: str, **options):
        if not name.strip():
            raise CommandError("Give the key a name.")
        api_key, secret = create_api_key(name=name.strip())
        self.stderr.write(
            f"Created API key “{api_key.name}” ({api_key.id}). Store it now: it is kept "
            "only as a hash and cannot be shown again."
        )
        self.stdout.write(secret)
