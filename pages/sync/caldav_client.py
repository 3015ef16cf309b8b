"""A small CalDAV and iCal-feed client: what the sync asks of a server, nothing more.

Read-only (writing bookings back is a later issue). Every request goes through
pages/outbound.py's ``send`` (the operator's destination policy, the connection pinned
to the checked address) with a deadline and a size limit; redirects are followed only
on the same host (and never from https down to http); a password goes only over https,
or over plain http to a destination the operator listed in
SCHEDULER_PRIVATE_DESTINATIONS (a Radicale next to us on the LAN). XML is parsed with
defusedxml (no entity expansion, no external entities).

Errors are one family (``SyncError``), each message saying what the server answered,
so the API can turn it into a 400 that names the setting:
``CredentialsRefused`` (401/403), ``NotCalDAV``, ``Unreachable`` (connection refused,
timeout, DNS), ``DestinationRefused`` (the outbound policy), ``TooLarge``,
``SyncTokenRejected`` / ``NoSyncToken`` (fall back to a time-range query),
``ServerError`` (any other answer).
"""

from __future__ import annotations

import base64
import logging
import posixpath
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree.ElementTree import Element  # noqa: S405 (types only; parsing is defusedxml)

from defusedxml import ElementTree

from pages import outbound

logger = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds for one whole exchange
MAX_BYTES = 20 * 1024 * 1024  # one answer (a multistatus, a feed)
MAX_REDIRECTS = 3
MULTIGET_BATCH = 100  # hrefs per calendar-multiget
MAX_SYNC_ROUNDS = 50  # RFC 6578 truncated answers (507) followed at most this often

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"
ICAL = "http://apple.com/ns/ical/"


# Errors


class SyncError(Exception):
    """Something a CalDAV server or feed did or did not answer; the message says what."""


class CredentialsRefused(SyncError):
    pass


class NotCalDAV(SyncError):
    pass


class Unreachable(SyncError):
    pass


class DestinationRefused(SyncError):
    """The outbound policy refuses the URL (a private address not listed, a password
    over plain http...)."""


class TooLarge(SyncError):
    pass


class SyncTokenRejected(SyncError):
    """The server no longer accepts this sync token: start again without one."""


class NoSyncToken(SyncError):
    """The server offers no sync-collection report: compare etags over a time range."""


class ServerError(SyncError):
    pass


# What the sync gets


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)

    def header(self) -> str:
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class Calendar:
    url: str  # absolute URL of the collection
    credentials: Credentials | None = None
    name: str = ""
    ctag: str | None = None  # CalendarServer's getctag: changes whenever anything does
    sync_token: str | None = None  # RFC 6578, when the server offers it
    read_only: bool = False
    color: str | None = None

    @property
    def href(self) -> str:
        return urlsplit(self.url).path


@dataclass(frozen=True)
class Account:
    url: str  # the URL discovery started from
    principal_url: str | None  # None when the URL given was one collection (or not asked)
    calendars: tuple[Calendar, ...]
    home_url: str | None = None  # the calendar-home-set listed; None for one collection


@dataclass(frozen=True)
class Item:
    href: str  # the server's path of the object, as it wrote it
    etag: str


@dataclass(frozen=True)
class Resource:
    href: str
    etag: str
    ical: str


@dataclass(frozen=True)
class Changes:
    changed: tuple[Item, ...]  # new or modified since the token
    removed: tuple[str, ...]  # hrefs
    sync_token: str  # give it back next time


@dataclass(frozen=True)
class Feed:
    unchanged: bool  # a 304: nothing else is set but the validators passed in
    ical: str | None
    etag: str | None
    last_modified: str | None


# One request


def _request(
    method: str,
    url: str,
    *,
    credentials: Credentials | None,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float,
    max_bytes: int,
    follow: bool = False,
) -> tuple[str, outbound.Response]:
    """(the URL that answered, its answer). Redirects followed only with ``follow``,
    only on the same host, never from https to http."""
    all_headers = {"User-Agent": "scheduler-caldav/1", **(headers or {})}
    if credentials is not None:
        all_headers["Authorization"] = credentials.header()
    data = body.encode("utf-8") if body is not None else None
    if data is not None:
        all_headers.setdefault("Content-Type", "application/xml; charset=utf-8")
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            answer = outbound.send(
                method,
                url,
                headers=all_headers,
                body=data,
                timeout=timeout,
                max_bytes=max_bytes,
                secret=credentials is not None,
            )
        except outbound.RefusedDestination as exc:
            raise DestinationRefused(f"{_host(url)}: {exc}") from None
        except outbound.AnswerTooLarge as exc:
            raise TooLarge(f"{_host(url)} answered too much: {exc}") from None
        except OSError as exc:
            raise Unreachable(f"{_host(url)} could not be reached: {_reason(exc)}") from None
        if follow and answer.status in (301, 302, 303, 307, 308) and "location" in answer.headers:
            target = urljoin(url, answer.headers["location"])
            old, new = urlsplit(url), urlsplit(target)
            if new.hostname != old.hostname or (old.scheme == "https" and new.scheme != "https"):
                raise ServerError(
                    f"{_host(url)} redirected to another host or to plain http ({target}); "
                    "give that URL instead"
                )
            url = target
            continue
        return url, answer
    raise ServerError(f"{_host(url)} redirected more than {MAX_REDIRECTS} times")


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _reason(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return str(exc) if str(exc) else "it did not answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused"
    return str(exc) or type(exc).__name__


def _said(answer: outbound.Response) -> str:
    text = outbound.excerpt(answer.body)
    return f"HTTP {answer.status}" + (f" ({text})" if text else "")


def _refused_or_failed(
    url: str, answer: outbound.Response, what: str = "the user name and password"
) -> SyncError:
    if answer.status in (401, 403):
        return CredentialsRefused(f"{_host(url)} refused {what}: {_said(answer)}")
    return ServerError(f"{_host(url)} answered {_said(answer)}")


# Multistatus


@dataclass
class _Response:
    href: str
    status: int | None  # the response's own status (sync-collection removals)
    props: dict[str, Element]  # "{ns}name" -> element, from 200 propstats only


def _status(text: str | None) -> int | None:
    parts = (text or "").split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def _multistatus(url: str, answer: outbound.Response) -> list[_Response]:
    if answer.status != 207:
        raise NotCalDAV(f"{_host(url)} is not a CalDAV server: it answered {_said(answer)}")
    try:
        root = ElementTree.fromstring(answer.body)
    except Exception:  # defusedxml's refusals and plain syntax errors alike
        raise NotCalDAV(
            f"{_host(url)} is not a CalDAV server: its answer is not XML ({_said(answer)})"
        ) from None
    if root.tag != f"{{{DAV}}}multistatus":
        raise NotCalDAV(f"{_host(url)} is not a CalDAV server: it answered {root.tag}")
    found = []
    for response in root.findall(f"{{{DAV}}}response"):
        href = (response.findtext(f"{{{DAV}}}href") or "").strip()
        if not href:
            continue
        props = {}
        for propstat in response.findall(f"{{{DAV}}}propstat"):
            if _status(propstat.findtext(f"{{{DAV}}}status")) != 200:
                continue
            for prop in propstat.findall(f"{{{DAV}}}prop"):
                for child in prop:
                    props[child.tag] = child
        found.append(_Response(href, _status(response.findtext(f"{{{DAV}}}status")), props))
    return found


def _same_path(a: str, b: str) -> bool:
    def norm(path: str) -> str:
        path = unquote(urlsplit(path).path)
        return posixpath.normpath(path) if path else "/"

    return norm(a) == norm(b)


def _href_url(base: str, el: Element | None) -> str | None:
    href = el.findtext(f"{{{DAV}}}href") if el is not None else None
    if not href or not href.strip():
        return None
    url = _followable(base, href.strip())
    if url is None:
        raise NotCalDAV(
            f"{_host(base)} named {href.strip()[:200]!r}: only http(s) addresses are followed, "
            "and never from https to plain http"
        )
    return url


def _followable(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, if it may be asked with the user's credentials:
    http(s) only, and no step down from https to plain http (the password would cross the
    network in the clear). Another host is allowed (iCloud keeps calendars on another
    host than the principal); the outbound policy still judges its address."""
    url = urljoin(base, href)
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        return None
    if urlsplit(base).scheme.lower() == "https" and scheme != "https":
        return None
    return url


# Discovery

_CALENDAR_PROPS = """<d:displayname/><d:resourcetype/><cs:getctag/><d:sync-token/>
<c:supported-calendar-component-set/><d:current-user-privilege-set/><i:calendar-color/>"""
_NS = f'xmlns:d="{DAV}" xmlns:c="{CALDAV}" xmlns:cs="{CS}" xmlns:i="{ICAL}"'


def _propfind(url, credentials, props: str, depth: str, *, timeout, max_bytes, follow=False):
    body = f'<?xml version="1.0" encoding="utf-8"?><d:propfind {_NS}><d:prop>{props}</d:prop></d:propfind>'  # noqa: E501
    url, answer = _request(
        "PROPFIND",
        url,
        credentials=credentials,
        body=body,
        headers={"Depth": depth},
        timeout=timeout,
        max_bytes=max_bytes,
        follow=follow,
    )
    if answer.status in (401, 403):
        raise _refused_or_failed(url, answer)
    return url, _multistatus(url, answer)


def _is_calendar(props: dict[str, Element]) -> bool:
    kind = props.get(f"{{{DAV}}}resourcetype")
    return kind is not None and kind.find(f"{{{CALDAV}}}calendar") is not None


def _calendar(url: str, credentials: Credentials, props: dict[str, Element]) -> Calendar | None:
    """The collection, or None when it cannot hold events (a task list, an address book)."""
    if not _is_calendar(props):
        return None
    components = props.get(f"{{{CALDAV}}}supported-calendar-component-set")
    if components is not None:
        names = {comp.get("name", "").upper() for comp in components}
        if "VEVENT" not in names:
            return None
    privileges = props.get(f"{{{DAV}}}current-user-privilege-set")
    read_only = False
    if privileges is not None:
        held = {child.tag for privilege in privileges for child in privilege}
        read_only = not held & {f"{{{DAV}}}write", f"{{{DAV}}}write-content", f"{{{DAV}}}all"}

    def text(tag: str) -> str | None:
        el = props.get(tag)
        return (el.text or "").strip() or None if el is not None else None

    return Calendar(
        url=url,
        credentials=credentials,
        name=text(f"{{{DAV}}}displayname") or posixpath.basename(urlsplit(url).path.rstrip("/")),
        ctag=text(f"{{{CS}}}getctag"),
        sync_token=text(f"{{{DAV}}}sync-token"),
        read_only=read_only,
        color=text(f"{{{ICAL}}}calendar-color"),
    )


def discover(
    url: str,
    username: str,
    password: str,
    *,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    home_url: str | None = None,
) -> Account:
    """The account's event calendars, from a server root (RFC 6764: ``/.well-known/caldav``,
    then the principal's calendar-home-set) or from a URL that is one calendar
    collection. Raises a SyncError saying what the server answered.

    With the ``home_url`` an earlier discovery found, that one listing (a single
    PROPFIND, which carries every calendar's ctag and sync-token) is tried first; only
    when it is no longer a collection does discovery start again from ``url``."""
    credentials = Credentials(username, password)
    kw = {"timeout": timeout, "max_bytes": max_bytes}
    if home_url:
        try:
            calendars = _calendars_in(home_url, credentials, **kw)
            return Account(url=url, principal_url=None, calendars=calendars, home_url=home_url)
        except (NotCalDAV, ServerError, CredentialsRefused):
            # Moved, gone, or now another user's: discover the account again (which
            # says whether the credentials themselves are refused).
            pass
    props = _CALENDAR_PROPS + "<d:current-user-principal/>"
    root = urljoin(url, "/")
    # From the root the well-known address comes first (the server may keep its DAV
    # tree elsewhere); from a deeper path, the path given is most likely right.
    starts = [urljoin(root, "/.well-known/caldav"), url] if _same_path(url, root) else [url]
    if not _same_path(url, root):
        starts.append(urljoin(root, "/.well-known/caldav"))
    principal = None
    first_error: SyncError | None = None
    for start in starts:
        try:
            answered_url, responses = _propfind(start, credentials, props, "0", follow=True, **kw)
        except (NotCalDAV, ServerError) as exc:
            first_error = first_error or exc
            continue
        for response in responses:
            if not _same_path(response.href, answered_url):
                continue
            if calendar := _calendar(answered_url, credentials, response.props):
                return Account(url=url, principal_url=None, calendars=(calendar,))
            principal = _href_url(
                answered_url, response.props.get(f"{{{DAV}}}current-user-principal")
            )
        if principal:
            break
    if not principal:
        raise first_error or NotCalDAV(
            f"{_host(url)} answers WebDAV but names no current-user-principal; "
            "give the URL of one calendar instead"
        )

    _, responses = _propfind(principal, credentials, "<c:calendar-home-set/>", "0", **kw)
    homes = [
        home
        for response in responses
        if (home := _href_url(principal, response.props.get(f"{{{CALDAV}}}calendar-home-set")))
    ]
    if not homes:
        raise NotCalDAV(f"{_host(url)} names no calendar-home-set for {username}")
    calendars = _calendars_in(homes[0], credentials, **kw)
    return Account(url=url, principal_url=principal, calendars=calendars, home_url=homes[0])


def _calendars_in(home_url: str, credentials: Credentials, **kw) -> tuple[Calendar, ...]:
    """The event calendars in a calendar-home-set: one PROPFIND of depth 1. A home that
    does not answer for itself as a collection is NotCalDAV."""
    answered_url, responses = _propfind(home_url, credentials, _CALENDAR_PROPS, "1", **kw)
    if not any(_same_path(r.href, answered_url) for r in responses):
        raise NotCalDAV(f"{home_url} is not a calendar home collection")
    calendars = []
    for response in responses:
        calendar_url = _followable(home_url, response.href)
        if calendar_url is None:
            logger.warning("%s listed %r, which is not followed", _host(home_url), response.href)
            continue
        if calendar := _calendar(calendar_url, credentials, response.props):
            calendars.append(calendar)
    return tuple(calendars)


def refresh(
    calendar: Calendar, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES
) -> Calendar:
    """The calendar's properties now (name, ctag, sync-token, read-only): one PROPFIND,
    the cheap "has anything changed?" before a sync."""
    url, responses = _propfind(
        calendar.url,
        calendar.credentials,
        _CALENDAR_PROPS,
        "0",
        timeout=timeout,
        max_bytes=max_bytes,
    )
    for response in responses:
        if _same_path(response.href, url):
            fresh = _calendar(calendar.url, calendar.credentials, response.props)
            if fresh is not None:
                return replace(fresh, color=fresh.color or calendar.color)
    raise ServerError(f"{calendar.url} is no longer a calendar collection")


# Reports


def _report(calendar: Calendar, body: str, *, depth: str, timeout, max_bytes):
    return _request(
        "REPORT",
        calendar.url,
        credentials=calendar.credentials,
        body='<?xml version="1.0" encoding="utf-8"?>' + body,
        headers={"Depth": depth},
        timeout=timeout,
        max_bytes=max_bytes,
    )[1]


def _etag(props: dict[str, Element]) -> str | None:
    el = props.get(f"{{{DAV}}}getetag")
    return (el.text or "").strip() or None if el is not None else None


def changes(
    calendar: Calendar,
    sync_token: str | None,
    *,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> Changes:
    """What changed since ``sync_token`` (None: everything there is), by RFC 6578's
    sync-collection report. Raises SyncTokenRejected when the server no longer accepts
    the token, NoSyncToken when it has no such report: the caller falls back to
    ``etags_in_range``."""
    changed: dict[str, Item] = {}
    removed: dict[str, None] = {}
    token = sync_token or ""
    for _round in range(MAX_SYNC_ROUNDS):
        body = (
            f"<d:sync-collection {_NS}><d:sync-token>{_xml_text(token)}</d:sync-token>"
            "<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"
        )
        answer = _report(calendar, body, depth="0", timeout=timeout, max_bytes=max_bytes)
        said = answer.body.decode("utf-8", "replace")
        if answer.status in (403, 409) and "valid-sync-token" in said:
            raise SyncTokenRejected(
                f"{_host(calendar.url)} no longer accepts the sync token: {_said(answer)}"
            )
        if answer.status in (400, 403, 405, 501) and (
            answer.status != 403 or "supported-report" in said
        ):
            raise NoSyncToken(
                f"{_host(calendar.url)} has no sync-collection report: {_said(answer)}"
            )
        if answer.status != 207:
            raise _refused_or_failed(calendar.url, answer)
        responses = _multistatus(calendar.url, answer)
        root_token = _sync_token_of(answer.body)
        truncated = False
        for response in responses:
            if _same_path(response.href, calendar.url):
                truncated = truncated or response.status == 507
                continue
            if response.status == 404:
                removed[response.href] = None
                changed.pop(response.href, None)
            elif etag := _etag(response.props):
                changed[response.href] = Item(response.href, etag)
                removed.pop(response.href, None)
        if not root_token:
            raise NoSyncToken(f"{_host(calendar.url)} answered the sync report without a token")
        token = root_token
        if not truncated:
            return Changes(tuple(changed.values()), tuple(removed), token)
    raise ServerError(
        f"{_host(calendar.url)} kept truncating its changes after {MAX_SYNC_ROUNDS} rounds"
    )


def _sync_token_of(body: bytes) -> str | None:
    root = ElementTree.fromstring(body)
    return (root.findtext(f"{{{DAV}}}sync-token") or "").strip() or None


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a time range needs aware datetimes")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def etags_in_range(
    calendar: Calendar,
    start: datetime,
    end: datetime,
    *,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> list[Item]:
    """The events that have an instance overlapping [start, end) (the server expands
    recurrences), as href and etag: the fallback when there is no sync token, and the
    fresh check just before a booking."""
    body = (
        f"<c:calendar-query {_NS}><d:prop><d:getetag/></d:prop><c:filter>"
        '<c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
        f'<c:time-range start="{_utc(start)}" end="{_utc(end)}"/>'
        "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
    )
    answer = _report(calendar, body, depth="1", timeout=timeout, max_bytes=max_bytes)
    if answer.status != 207:
        raise _refused_or_failed(calendar.url, answer)
    return [
        Item(response.href, etag)
        for response in _multistatus(calendar.url, answer)
        if not _same_path(response.href, calendar.url) and (etag := _etag(response.props))
    ]


def fetch(
    calendar: Calendar,
    hrefs: list[str] | tuple[str, ...],
    *,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> list[Resource]:
    """The iCalendar text and etag of each href (calendar-multiget, in batches). An
    href the server no longer has is left out of the answer."""
    found = []
    hrefs = list(dict.fromkeys(hrefs))
    for at in range(0, len(hrefs), MULTIGET_BATCH):
        batch = "".join(
            f"<d:href>{_xml_text(href)}</d:href>" for href in hrefs[at : at + MULTIGET_BATCH]
        )
        body = (
            f"<c:calendar-multiget {_NS}><d:prop><d:getetag/><c:calendar-data/></d:prop>"
            f"{batch}</c:calendar-multiget>"
        )
        answer = _report(calendar, body, depth="1", timeout=timeout, max_bytes=max_bytes)
        if answer.status != 207:
            raise _refused_or_failed(calendar.url, answer)
        for response in _multistatus(calendar.url, answer):
            data = response.props.get(f"{{{CALDAV}}}calendar-data")
            etag = _etag(response.props)
            if data is not None and data.text and etag:
                found.append(Resource(response.href, etag, data.text))
    return found


# iCal feeds


def fetch_feed(
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    *,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> Feed:
    """A subscription's iCalendar text by conditional GET: with the ETag and
    Last-Modified of the last fetch, a 304 comes back as ``Feed(unchanged=True)``.
    The URL is the secret (no credentials are sent); http(s) only."""
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    url, answer = _request(
        "GET",
        url,
        credentials=None,
        headers=headers,
        timeout=timeout,
        max_bytes=max_bytes,
        follow=True,
    )
    if answer.status == 304:
        return Feed(unchanged=True, ical=None, etag=etag, last_modified=last_modified)
    if answer.status != 200:
        # The address is the feed's secret: refusing it is refusing credentials.
        raise _refused_or_failed(url, answer, "the feed's address")
    text = answer.body.decode("utf-8", "replace").lstrip("\ufeff")
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise ServerError(f"{_host(url)} did not answer an iCalendar feed: {_said(answer)}")
    return Feed(
        unchanged=False,
        ical=text,
        etag=answer.headers.get("etag"),
        last_modified=answer.headers.get("last-modified"),
    )


# Writing (a booking's event in its host's booking calendar)


class PreconditionFailed(SyncError):
    """412: the object is not in the state the request assumed (someone edited it, or
    it already exists): re-read it and apply again."""


class Gone(SyncError):
    """404 on an update: the object is not there (deleted meanwhile): create it again."""


@dataclass(frozen=True)
class Written:
    href: str
    etag: str | None  # the server's new etag, when it says (else read it back)


def object_url(calendar: Calendar, name: str) -> str:
    return urljoin(calendar.url if calendar.url.endswith("/") else calendar.url + "/", name)


def put(
    calendar: Calendar,
    href: str,
    ical: str,
    *,
    if_match: str | None = None,
    if_none_match: bool = False,
    timeout: float = TIMEOUT,
) -> Written:
    """PUT one object: ``if_none_match`` to create only (412 when it exists),
    ``if_match`` to replace only that version (412 when it changed, 404 when gone)."""
    headers = {"Content-Type": "text/calendar; charset=utf-8"}
    if if_match:
        headers["If-Match"] = if_match
    if if_none_match:
        headers["If-None-Match"] = "*"
    url = urljoin(calendar.url, href)
    _, answer = _request(
        "PUT",
        url,
        credentials=calendar.credentials,
        body=ical,
        headers=headers,
        timeout=timeout,
        max_bytes=64 * 1024,
    )
    if answer.status in (200, 201, 204):
        return Written(urlsplit(url).path, answer.headers.get("etag"))
    if answer.status == 412:
        raise PreconditionFailed(f"{_host(url)} answered {_said(answer)}")
    if answer.status == 404:
        raise Gone(f"{_host(url)} answered {_said(answer)}")
    raise _refused_or_failed(url, answer)


def get(calendar: Calendar, href: str, *, timeout: float = TIMEOUT) -> Resource | None:
    """One object's text and etag; None when it is not there."""
    url = urljoin(calendar.url, href)
    _, answer = _request(
        "GET", url, credentials=calendar.credentials, timeout=timeout, max_bytes=MAX_BYTES
    )
    if answer.status == 404:
        return None
    if answer.status != 200:
        raise _refused_or_failed(url, answer)
    return Resource(
        urlsplit(url).path, answer.headers.get("etag") or "", answer.body.decode("utf-8", "replace")
    )


def delete(calendar: Calendar, href: str, *, timeout: float = TIMEOUT) -> bool:
    """DELETE one object; False when it was already gone."""
    url = urljoin(calendar.url, href)
    _, answer = _request(
        "DELETE", url, credentials=calendar.credentials, timeout=timeout, max_bytes=64 * 1024
    )
    if answer.status in (200, 204):
        return True
    if answer.status in (404, 410):
        return False
    raise _refused_or_failed(url, answer)
