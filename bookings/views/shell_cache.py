"""The /book/<slug>/ page shell on its hot path: rendered once, checked every time.

The shell (the page before any availability: the configuration's header, the zone form
and the picker's loader) is what a guest's first request gets, so it should cost about
what a trivial view costs. Building it the ordinary way (the configuration and its
participants through the ORM, then the template) costs several times that, mostly in
query compilation and template rendering.

So each process keeps the rendered HTML, keyed by *everything the shell shows*: one
plain SQL statement reads those columns (the configuration's, its grant's zone, its
participants') on every request, and the key is the rows themselves together with the
language and the query string. Any change to what the page shows is a new key, so the
cache can never serve a stale page; it only saves re-rendering an unchanged one.

The shell carries no CSRF token (base.html leaves hx-headers out when ``shell`` is set):
it has no form that posts, and the forms that do (the guest form, in a fragment) carry
their own token, which htmx sends with them. This keeps per-visitor data out of the
cached HTML (a token cached for one visitor and served to another would hand out their
secret), and spares the shell generating a token for a visitor who may never book. A
render that asked for a token anyway is served but never cached.

Nothing is shared between processes and nothing outlives a restart: the database stays
the only state. The cache holds at most MAX_ENTRIES pages per process (least recently
used first out), so junk query strings cannot grow it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from django.http import Http404, HttpResponse
from django.utils import timezone

from bookings.sql import shell_rows

MAX_ENTRIES = 128

_pages: OrderedDict = OrderedDict()
_lock = threading.Lock()


def locale_of(rows: tuple) -> str:
    return rows[0][6] or ""


def serve(
    request,
    slug: str,
    language: str,
    render: Callable[[], HttpResponse],
    rows: tuple,
    *,
    hours: int,
):
    """The shell response: from the cache when nothing it shows has changed, else from
    ``render``. ``hours`` is the reader's clock (their browser's language sets it)."""
    if not rows:
        raise Http404("No booking page with this address.")
    # The minute too: the zone list shows the time now in each zone (zone_list).
    minute = timezone.now().replace(second=0, microsecond=0)
    key = (rows, language, request.path, request.META.get("QUERY_STRING", ""), minute, hours)
    with _lock:
        cached = _pages.get(key)
        if cached is not None:
            _pages.move_to_end(key)
    if cached is not None:
        content, headers = cached
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        return response
    response = render()
    asked_for_token = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
    # Keep it only if it is the same for everyone and the data did not change meanwhile.
    if response.status_code == 200 and not asked_for_token and shell_rows(slug) == rows:
        headers = [(n, v) for n, v in response.headers.items() if n.lower() != "content-length"]
        with _lock:
            _pages[key] = (response.content, headers)
            while len(_pages) > MAX_ENTRIES:
                _pages.popitem(last=False)
    return response


def clear() -> None:
    with _lock:
        _pages.clear()
