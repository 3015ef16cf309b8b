"""Where this server may send requests of its own: webhooks now, CalDAV servers and
calendar feeds (pages/sync) later. One policy for all of them.

A URL an organizer or a backend gives us is a request we make from inside the network
we run in, so it could reach what only we can: the cloud's metadata service
(169.254.169.254, metadata.google.internal), the database on 127.0.0.1:5432, the
office LAN. The policy:

- only ``http:`` and ``https:``, with a host, and no user name or password in the URL
  (they would end up in logs and in the admin);
- on save (``check_url``): an address written as an IP must be public, and written the
  usual way (``0x7f000001``, ``2130706433``, ``127.1`` and other forms C libraries
  accept are refused); names that only mean something inside a network (``localhost``,
  ``*.internal``, ...) are refused;
- on every send (``post``, ``send``): the name is resolved and EVERY address it resolves to must
  be public (not loopback, private, link-local, shared, multicast, reserved or
  unspecified; IPv4 inside IPv6 is unwrapped); the connection then goes to an address
  that was checked, not to the name again, so a DNS answer that changes between the
  check and the connection (rebinding) cannot move it. The Host header and the TLS
  server name (SNI, certificate check) stay the URL's host;
- redirects are answers, never followed;
- the operator may open private destinations on purpose with
  ``SCHEDULER_PRIVATE_DESTINATIONS`` (CIDRs such as ``10.0.0.0/8`` or host names such
  as ``caldav.internal``): a listed name skips the address checks, a listed network
  admits its addresses.

``post`` is the webhooks' call; ``send`` is the general one (CalDAV and feeds): any
method, the answer's headers and body up to ``max_bytes``, a deadline on the whole
exchange, and, for a request that carries a password (``secret=True``), plain http only
to a destination the operator listed (anywhere else the password would cross networks
in clear).

What is kept of a webhook's answer is its status and ``excerpt``: at most 200 characters, one
line, with anything that looks like a secret replaced by ``[redacted]``.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

SCHEMES = ("http", "https")
EXCERPT_LENGTH = 200
READ_LIMIT = 4096
# Names that only mean something inside a network (RFC 6761, 8375, cloud metadata).
PRIVATE_NAMES = frozenset(
    {"localhost", "metadata", "metadata.google.internal", "instance-data", "ip6-localhost"}
)
PRIVATE_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")
# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64).
NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedDestination(ValueError):
    """The URL may not be called; the message says why (shown to whoever gave it)."""


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as in the URL (the Host header and the TLS server name)
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # checked; connect to these only


# The operator's list


@lru_cache(maxsize=8)
def _parse_allowed(entries: tuple[str, ...]) -> tuple[frozenset[str], tuple]:
    names, networks = set(), []
    for entry in entries:
        entry = entry.strip().lower().rstrip(".")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry)
    return frozenset(names), tuple(networks)


def _allowed() -> tuple[frozenset[str], tuple]:
    entries = getattr(settings, "SCHEDULER_PRIVATE_DESTINATIONS", ())
    if isinstance(entries, str):
        entries = entries.split(",")
    return _parse_allowed(tuple(entries))


# Addresses


def _unwrapped(address: Address) -> Address:
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4), else itself."""
    if address.version == 6:
        if address.ipv4_mapped:
            return address.ipv4_mapped
        if any(address in net for net in NAT64):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.sixtofour:
            return address.sixtofour
    return address


def address_problem(address: Address) -> str | None:
    """Why a connection to ``address`` is refused, or None."""
    _names, networks = _allowed()
    inner = _unwrapped(address)
    if any(candidate in net for net in networks for candidate in {address, inner}):
        return None
    for candidate in (address, inner):
        if candidate.is_loopback:
            return f"{address} is a loopback address"
        if candidate.is_unspecified:
            return f"{address} is an unspecified address"
        if candidate.is_link_local:
            return f"{address} is a link-local address"
        if candidate.is_multicast:
            return f"{address} is a multicast address"
        if not candidate.is_global:
            return f"{address} is a private or reserved address"
    return None


def _literal(host: str) -> Address | None:
    """The IP address ``host`` is written as, in its usual form; None for a name.
    Forms the C library also reads as IPv4 (127.1, 0x7f000001, 2130706433, 0177.0.0.1)
    are refused: they exist to slip past checks like these."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        if re.fullmatch(r"[0-9.]+|0x[0-9a-f.x]*", host, flags=re.IGNORECASE):
            raise RefusedDestination(f"{host} is not a host name or an IP address") from None
        return None
    raise RefusedDestination(f"write the IP address {host} as four decimal numbers (a.b.c.d)")


# URLs


def _parts(url: str) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or not url or any(c.isspace() or ord(c) < 32 for c in url):
        raise RefusedDestination("is not a URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedDestination("is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not parts.hostname:
        raise RefusedDestination("must be an absolute http(s) URL")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise RefusedDestination("must not carry a user name or password")
    host = parts.hostname.rstrip(".")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port or (443 if scheme == "https" else 80), path


def check_url(url: str) -> None:
    """On save (and before every send): the URL's form, an IP written in it, and names
    private to a network. Public names are not resolved here; ``resolve`` checks what
    they resolve to when they are called. Raises RefusedDestination."""
    _scheme, host, _port, _path = _parts(url)
    names, networks = _allowed()
    if host in names:
        return
    address = _literal(host)
    if address is not None:
        if why := address_problem(address):
            raise RefusedDestination(why)
        return
    private_name = host in PRIVATE_NAMES or host.endswith(PRIVATE_SUFFIXES) or "." not in host
    # Allowed only when the operator listed the name, or networks holding every address
    # it has (localhost with 127.0.0.1/32 and ::1/128): such names resolve from the
    # machine's own files, so asking is cheap.
    if private_name and not (networks and _all_listed(host)):
        raise RefusedDestination(f"{host} is a name private to a network")


def _all_listed(host: str) -> bool:
    try:
        return all(_listed(address) for address in _addresses_of(host, 80))
    except OSError:
        return False


def _listed(address: str) -> bool:
    _names, networks = _allowed()
    address = ipaddress.ip_address(address.split("%", 1)[0])
    return any(candidate in net for net in networks for candidate in {address, _unwrapped(address)})


def _addresses_of(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise OSError(f"{host} could not be resolved: {exc.strerror}") from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in found:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    if not addresses:
        raise OSError(f"{host} has no address")
    return addresses


def resolve(url: str) -> Target:
    """On send: the URL checked, its name resolved, and every address checked."""
    check_url(url)
    scheme, host, port, path = _parts(url)
    names, _networks = _allowed()
    addresses = _addresses_of(host, port)
    if host not in names:
        for text in addresses:
            if why := address_problem(ipaddress.ip_address(text.split("%", 1)[0])):
                raise RefusedDestination(f"{host} resolves to {why.split(' is ', 1)[1]} ({text})")
    return Target(scheme, host, port, path, tuple(addresses))


# Sending


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to ``address`` (checked), with the URL's host in the Host header."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to ``address``; the certificate is checked against the URL's host (SNI)."""

    default_port = 443

    def __init__(self, host: str, port: int, *, address: str, timeout: float, tls):
        super().__init__(host, port, address=address, timeout=timeout)
        self.tls = tls

    def connect(self) -> None:
        super().connect()
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.host)


def _connection(target: Target, address: str, timeout: float) -> _PinnedHTTPConnection:
    if target.scheme == "https":
        return _PinnedHTTPSConnection(
            target.host,
            target.port,
            address=address,
            timeout=timeout,
            tls=ssl.create_default_context(),
        )
    return _PinnedHTTPConnection(target.host, target.port, address=address, timeout=timeout)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    """POST ``body`` to ``url`` if the policy allows it. Raises RefusedDestination when it
    does not, OSError (timeouts included) when no answer came; any status is an Answer."""
    target = resolve(url)
    last_error: OSError | None = None
    for address in target.addresses:
        connection = _connection(target, address, timeout)
        try:
            connection.connect()
        except OSError as exc:  # this address is down: try the next one the name has
            last_error = exc
            connection.close()
            continue
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read(READ_LIMIT)
            return Answer(status=response.status, excerpt=excerpt(raw))
        except http.client.HTTPException as exc:
            raise OSError(f"{type(exc).__name__}: {exc}") from None
        finally:
            connection.close()
    raise last_error or OSError("no address answered")


class AnswerTooLarge(OSError):
    """The answer was longer than the caller accepts; nothing of it is kept."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names in lower case; a repeated header joined by ", "
    body: bytes


def _listed_destination(target: Target) -> bool:
    names, _networks = _allowed()
    return target.host in names or all(_listed(address) for address in target.addresses)


def send(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    body: bytes | None = None,
    timeout: float,
    max_bytes: int,
    secret: bool = False,
) -> Response:
    """``method`` on ``url`` if the policy allows it; the whole exchange within
    ``timeout`` seconds (each wait is bounded by the time left). Raises
    RefusedDestination when the policy refuses, AnswerTooLarge past ``max_bytes``,
    OSError (timeouts included) when no whole answer came; any status is a Response.
    Redirects are answers. ``secret``: the request carries credentials, so plain http
    goes only to a destination listed in SCHEDULER_PRIVATE_DESTINATIONS."""
    deadline = time.monotonic() + timeout
    target = resolve(url)
    if secret and target.scheme != "https" and not _listed_destination(target):
        raise RefusedDestination(
            "sends a password only over https (or to a destination listed in "
            "SCHEDULER_PRIVATE_DESTINATIONS)"
        )

    def left() -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no whole answer from {target.host} within {timeout:g} s")
        return remaining

    last_error: OSError | None = None
    for address in target.addresses:
        connection = _connection(target, address, left())
        try:
            connection.connect()
        except OSError as exc:  # this address is down: try the next one the name has
            last_error = exc
            connection.close()
            continue
        # Kept: the connection lets go of its socket when the answer says "close".
        sock = connection.sock
        try:
            sock.settimeout(left())
            connection.request(method, target.path, body=body, headers=headers)
            sock.settimeout(left())
            response = connection.getresponse()
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise AnswerTooLarge(f"the answer is {declared} bytes, more than {max_bytes}")
            chunks, size = [], 0
            while True:
                sock.settimeout(left())
                chunk = response.read1(65536) if method != "HEAD" else b""
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise AnswerTooLarge(f"the answer is more than {max_bytes} bytes")
                chunks.append(chunk)
            answer_headers: dict[str, str] = {}
            for name, value in response.getheaders():
                name = name.lower()
                answer_headers[name] = (
                    f"{answer_headers[name]}, {value}" if name in answer_headers else value
                )
            return Response(status=response.status, headers=answer_headers, body=b"".join(chunks))
        except http.client.HTTPException as exc:
            raise OSError(f"{type(exc).__name__}: {exc}") from None
        finally:
            connection.close()
    raise last_error or OSError("no address answered")


# What is kept of an answer

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_NAMED_SECRET = re.compile(
    r"(?i)((?:bearer|basic)\s+|(?:[\w-]*(?:token|secret|password|passwd|pwd|api[_-]?key|"
    r"authorization|session|signature|cookie|credential)[\w-]*)[\"']?\s*[:=]\s*[\"']?)"
    r"[^\s\"'&,;<>}]+"
)
# Long unbroken runs of letters and digits look like keys, hashes and tokens.
_RANDOM_LOOKING = re.compile(r"[A-Za-z0-9_\-+/=.]{24,}")


def excerpt(raw: bytes | str) -> str:
    """At most EXCERPT_LENGTH characters of an answer, one line, secrets redacted."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = _CONTROL.sub(" ", text[: EXCERPT_LENGTH * 5]).strip()
    text = _NAMED_SECRET.sub(lambda m: m.group(1) + "[redacted]", text)
    text = _RANDOM_LOOKING.sub("[redacted]", text)
    return text[:EXCERPT_LENGTH]
