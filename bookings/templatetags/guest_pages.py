"""Filters of the hosted pages' templates."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template

from pages import conferencing
from pages.conferencing import Conference

register = template.Library()


@register.filter
def urlize_host(value: object) -> str:
    """The host of an address ("meet.example.com"), to say where a link goes."""
    return urlsplit(value).hostname or "" if isinstance(value, str) else ""


@register.filter
def booking_conference(booking) -> Conference:
    """The meeting link (and codes) a booking was given."""
    return conferencing.shown(getattr(booking, "conferencing", None))


@register.filter
def page_conference(configuration) -> Conference:
    """A configuration's conferencing as its booking page shows it (before any booking:
    a meeting created per booking has no link yet)."""
    return conferencing.shown(conferencing.of_configuration(configuration))
