"""Filters of the hosted pages' templates."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def urlize_host(value: object) -> str:
    """The host of an address ("meet.example.com"), to say where a link goes."""
    return urlsplit(value).hostname or "" if isinstance(value, str) else ""
