"""The availability engine: which meeting slots can be offered, and why not.

Pure Python (no Django, no I/O). A loader turns database rows or API requests into the
plain data of :mod:`bookings.availability.model`; :func:`find_slots` searches;
:func:`explain_start` explains one start; :func:`find_itineraries` finds back-to-back
meetings with several groups; :func:`grid_origin` places the grid of starts;
:func:`open_spans` expands open hours into UTC spans.
"""

from .consecutive import MAX_GROUPS, Itinerary, find_itineraries
from .engine import find_slots
from .explain import explain_start
from .grid import grid_origin
from .model import (
    BEYOND_AVAILABLE_DAYS,
    BUFFER,
    BUSY,
    CAPACITY_FULL,
    COLLECTIVE,
    EXDATE,
    MAX_AVAILABILITY,
    MAX_FAIRNESS,
    METHODS,
    MIN_BOOKING_NOTICE,
    NOT_NEXT_IN_ROUND_ROBIN,
    OFF_INTERVAL,
    OUTSIDE_OPEN_HOURS,
    OUTSIDE_RANGE,
    Availability,
    Explanation,
    Interval,
    OpenHours,
    Participant,
    Query,
    Reason,
    Seat,
    Slot,
)
from .open_hours import open_spans

__all__ = [
    "BEYOND_AVAILABLE_DAYS",
    "BUFFER",
    "BUSY",
    "CAPACITY_FULL",
    "COLLECTIVE",
    "EXDATE",
    "MAX_AVAILABILITY",
    "MAX_FAIRNESS",
    "MAX_GROUPS",
    "METHODS",
    "MIN_BOOKING_NOTICE",
    "NOT_NEXT_IN_ROUND_ROBIN",
    "OFF_INTERVAL",
    "OUTSIDE_OPEN_HOURS",
    "OUTSIDE_RANGE",
    "Availability",
    "Explanation",
    "Interval",
    "Itinerary",
    "OpenHours",
    "Participant",
    "Query",
    "Reason",
    "Seat",
    "Slot",
    "explain_start",
    "find_itineraries",
    "find_slots",
    "grid_origin",
    "open_spans",
]
