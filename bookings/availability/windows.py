"""A configuration's grid of starts: it belongs to the open-hours windows, not the query.

The stateless endpoints anchor their grid at the request (its ``start_time``, or the
clock with v2 ``round_start``). A configuration may not: a guest in Berlin and one in
Chicago, an API call made "now" and the booking check of one slot must all see the same
instants. So each *window* starts its own grid (API.md, "Exact meaning of a slot"):

* a window is a maximal span of open time: for one person, the union of their open-hours
  entries; for a collective search, the intersection of everyone's unions (people with
  no open hours are always open and constrain nothing); with no open hours at all, the
  whole time line;
* a window is cut at each local midnight of its zone, so a window that never closes
  (open hours every day 00:00-24:00, or none) starts a grid each local day, like a
  window that opens and closes daily; a window running past midnight starts a second
  grid there;
* each piece's grid begins at the first instant at or after the piece's start whose
  local wall-clock time is a multiple of ``round_to`` minutes, and steps by the interval
  in real (UTC) seconds; its starts lie in the piece, and their slots in the window.

"Local" is the zone of the entry that opens the window (ties: the zone named first in
alphabetical order), because a team member in Asia/Kolkata open from 09:00 expects
09:00, 10:00 ... even on a page whose organizer sits in America/Chicago. For the
intersection of several people's windows it is the zone of the window that opens last
(ties: the first person's). With no open hours it is the configuration's zone.

A grid piece is ``(anchor, stop)``: the starts ``anchor + k * interval < stop``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .grid import grid_origin
from .model import OpenHours
from .open_hours import DAY, merge_zoned_spans, offset_periods, zoned_spans

Window = tuple[int, int, str]  # [start, end) in UTC and the zone that rounds its grid
Piece = tuple[int, int]  # (anchor, stop): starts anchor + k * interval below stop
# How far before a search's first start the windows are looked at: a piece containing
# that start began at the latest at the local midnight before it (under 26 hours back).
LOOKBACK = 2 * DAY


def windows_of(entries: tuple[OpenHours, ...], start: int, end: int) -> list[Window]:
    """One person's windows inside ``[start, end)``, each with its rounding zone."""
    return merge_zoned_spans(zoned_spans(entries, start, end))


def intersect_windows(first: list[Window], second: list[Window]) -> list[Window]:
    """Windows open in both lists; each takes the zone of the side that opens last (the
    first list's on a tie)."""
    result: list[Window] = []
    i = j = 0
    while i < len(first) and j < len(second):
        a_start, a_end, a_zone = first[i]
        b_start, b_end, b_zone = second[j]
        low, zone = (a_start, a_zone) if a_start >= b_start else (b_start, b_zone)
        high = min(a_end, b_end)
        if low < high:
            result.append((low, high, zone))
        if a_end < b_end:
            i += 1
        else:
            j += 1
    return result


def _local_midnights(zone: str, start: int, end: int) -> list[int]:
    """The instants in ``(start, end)`` at which the local date in ``zone`` changes: local
    midnights, or the end of a transition that skips midnight."""
    cuts: list[int] = []
    previous_offset: int | None = None
    for period_start, period_end, offset in offset_periods(zone, start, end):
        if (
            previous_offset is not None
            and (period_start + offset) // DAY != (period_start - 1 + previous_offset) // DAY
        ):
            cuts.append(period_start)  # the date changed at the transition itself
        first_day = (period_start + offset) // DAY + 1
        for local_day in range(first_day, (period_end - 1 + offset) // DAY + 1):
            instant = local_day * DAY - offset
            if start < instant < end:
                cuts.append(instant)
        previous_offset = offset
    return cuts


def grid_pieces(
    windows: Sequence[Window], duration: int, interval: int, round_to: int
) -> list[Piece]:
    """The grid pieces of ``windows`` (sorted, disjoint): per local day of each window,
    the starts from its first ``round_to``-minute local time on, whose slots of
    ``duration`` seconds end inside the window."""
    pieces: list[Piece] = []
    for window_start, window_end, zone in windows:
        last_start = window_end - duration
        if last_start < window_start:
            continue
        bounds = [window_start, *_local_midnights(zone, window_start, window_end), window_end]
        for piece_start, piece_end in zip(bounds, bounds[1:], strict=False):
            if piece_start > last_start:
                break
            anchor = grid_origin(piece_start, round_to, zone)
            stop = min(piece_end, last_start + 1)
            if anchor < stop:
                pieces.append((anchor, stop))
    return pieces


def piece_containing(pieces: Sequence[Piece], start: int) -> Piece | None:
    for anchor, stop in pieces:
        if anchor <= start < stop:
            return anchor, stop
    return None


def on_pieces(pieces: Sequence[Piece], interval: int, start: int) -> bool:
    piece = piece_containing(pieces, start)
    return piece is not None and (start - piece[0]) % interval == 0


def whole_line(start: int, end: int, zone: str) -> list[Window]:
    """The windows of someone always open: the whole range, rounded in ``zone``."""
    return [(start, end, zone)] if start < end else []
