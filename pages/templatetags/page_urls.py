"""``{{ address|web_address }}``: the address when it is an absolute http(s) URL, else "".

Every address a configuration stores goes through it where a template makes it an
``href`` or a ``src`` (pages/page_urls.py says why it is checked twice)."""

from __future__ import annotations

from django import template

from pages import page_urls

register = template.Library()


@register.filter
def web_address(value: object) -> str:
    return page_urls.renderable(value)
