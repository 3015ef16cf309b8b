from pages.models.accounts import ApiKey, Grant
from pages.models.calendars import Calendar, Event, OutgoingEvent, RemoteEvent
from pages.models.configurations import (
    AdditionalField,
    Configuration,
    OpenHours,
    Participant,
    Reminder,
    V2PageIdCounter,
)

__all__ = [
    "AdditionalField",
    "ApiKey",
    "Calendar",
    "Configuration",
    "Event",
    "Grant",
    "OpenHours",
    "OutgoingEvent",
    "Participant",
    "Reminder",
    "RemoteEvent",
    "V2PageIdCounter",
]
