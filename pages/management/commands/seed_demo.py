"""A demo organizer and a 30-minute page at /book/demo/. Safe to run again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from pages.models import Configuration, Grant, OpenHours, Participant
from pages.services import create_grant, ensure_primary_calendar

DEMO_EMAIL = "ada@demo.example"
DEMO_ZONE = "America/Chicago"
MONDAY_TO_FRIDAY = [1, 2, 3, 4, 5]


class Command(BaseCommand):
    help = "Create (or keep) the demo organizer and the demo booking page."

    @transaction.atomic
    def handle(self, *args, **options):
        grant = Grant.objects.filter(email__iexact=DEMO_EMAIL).first()
        if grant is None:
            grant, _ = create_grant(email=DEMO_EMAIL, name="Ada Lovelace", timezone=DEMO_ZONE)
        calendar = ensure_primary_calendar(grant)
        configuration, created = Configuration.objects.get_or_create(
            slug="demo",
            defaults={
                "grant": grant,
                "name": "Demo: 30-minute intro call",
                "title": "30-minute intro call",
                "description": "A short call to get to know each other.",
                "location": "Video call (link in the invitation)",
                "duration_minutes": 30,
                "timezone": DEMO_ZONE,
                "appearance": {"company_name": "Demo Company", "submit_text": "Book it"},
            },
        )
        participant, _ = Participant.objects.get_or_create(
            configuration=configuration,
            email=grant.email,
            defaults={
                "grant": grant,
                "name": grant.name,
                "is_organizer": True,
                "timezone": DEMO_ZONE,
                "booking_calendar": calendar,
            },
        )
        if not participant.open_hours.exists():
            OpenHours.objects.create(
                configuration=configuration,
                participant=participant,
                days=MONDAY_TO_FRIDAY,
                start_minute=9 * 60,
                end_minute=17 * 60,
                timezone=DEMO_ZONE,
            )
        verb = "Created" if created else "Kept"
        self.stdout.write(f"{verb} the demo page: /book/demo/ (organizer {grant.email})")
