"""Filters of the hosted pages' templates."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template

from bookings.views.appearance import safe_url

register = template.Library()


@register.filter
def web_url(value: object) -> str:
    """``value`` when it is an absolute http(s) address, else "": a stored address is
    checked again where it is shown, so no javascript: link is ever written."""
    return safe_url(value)


@register.filter
def urlize_host(value: object) -> str:
    """The host of an address ("meet.example.com"), to say where a link goes."""
    return urlsplit(value).hostname or "" if isinstance(value, str) else ""
