"""pages/outbound.py: the one policy for requests this server makes (webhooks now,
CalDAV servers and feeds later). Private, loopback, link-local, multicast and reserved
destinations are refused when a URL is saved and again when it is called, whatever
name or number form they hide behind, unless the operator lists them; the connection
goes to the address that was checked."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pages import outbound

REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://0x7f000001/hook",
    "http://2130706433/hook",
    "http://127.1/hook",
    "http://0177.0.0.1/hook",
    "http://127.0.0.1:5432/",
    "http://user:pass@hooks.example.com/hook",
    "https://token@hooks.example.com/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[ff02::1]/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[64:ff9b::7f00:1]/hook",
    "http://[2002:7f00:1::]/hook",
    "http://db.localhost/hook",
    "http://printer.local/hook",
    "http://receiver:8000/hook",
    "ftp://hooks.example.com/hook",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_FLUSHALL",
]


@pytest.fixture(autouse=True)
def nothing_allowed(settings):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = []


class Receiver:
    """HTTP (or HTTPS) on 127.0.0.1 keeping each request's Host header and the TLS
    server name the client asked for."""

    def __init__(self, answer: bytes = b"ok", tls: ssl.SSLContext | None = None):
        self.hosts: list[str] = []
        self.server_names: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.hosts.append(self.headers["Host"])
                self.send_response(200)
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            tls.sni_callback = lambda sock, name, ctx: receiver.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.stop()


def resolving(monkeypatch, table: dict[str, list[str]]):
    """Let the resolver answer ``table`` for these names (as a DNS server could)."""
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in table:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in table[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(outbound.socket, "getaddrinfo", fake)


@pytest.mark.parametrize("url", REFUSED)
def test_each_private_or_odd_destination_is_refused_on_save(url):
    with pytest.raises(outbound.RefusedDestination):
        outbound.check_url(url)


@pytest.fixture(scope="module")
def bystander():
    """A server on loopback that none of the refused sends may reach."""
    made = Receiver()
    yield made
    made.stop()


@pytest.mark.parametrize("url", REFUSED)
def test_each_private_or_odd_destination_is_refused_on_send(url, bystander):
    url = url.replace(":5432", f":{bystander.port}")
    with pytest.raises(outbound.RefusedDestination):
        outbound.post(url, b"{}", {}, timeout=2)
    assert bystander.hosts == []


def test_a_public_destination_passes_the_save_check():
    outbound.check_url("https://hooks.example.com/in?x=1")
    outbound.check_url("http://93.184.215.14:8080/in")


def test_localhost_is_refused_unless_listed(monkeypatch, receiver, settings):
    resolving(monkeypatch, {"localhost": ["127.0.0.1"]})
    url = f"http://localhost:{receiver.port}/hook"
    with pytest.raises(outbound.RefusedDestination, match="private"):
        outbound.check_url(url)
    with pytest.raises(outbound.RefusedDestination, match="private"):
        outbound.post(url, b"{}", {}, timeout=2)
    assert receiver.hosts == []
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    outbound.check_url(url)
    assert outbound.post(url, b"{}", {}, timeout=2).status == 200
    assert receiver.hosts == [f"localhost:{receiver.port}"]


def test_localhost_is_refused_when_it_also_has_an_address_not_listed(monkeypatch, settings):
    resolving(monkeypatch, {"localhost": ["::1", "127.0.0.1"]})
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    with pytest.raises(outbound.RefusedDestination):
        outbound.check_url("http://localhost/hook")
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["localhost"]
    outbound.check_url("http://localhost/hook")


def test_a_dns_name_resolving_to_loopback_is_refused_unless_listed(monkeypatch, receiver, settings):
    resolving(monkeypatch, {"hooks.example.com": ["127.0.0.1"]})
    url = f"http://hooks.example.com:{receiver.port}/hook"
    outbound.check_url(url)  # a public-looking name: judged by its addresses on send
    with pytest.raises(outbound.RefusedDestination, match="loopback"):
        outbound.post(url, b"{}", {}, timeout=2)
    assert receiver.hosts == []
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    assert outbound.post(url, b"{}", {}, timeout=2).status == 200
    assert receiver.hosts == [f"hooks.example.com:{receiver.port}"]


def test_loopback_is_reached_when_the_operator_lists_its_network(receiver, settings):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    url = f"http://127.0.0.1:{receiver.port}/hook"
    outbound.check_url(url)
    assert outbound.post(url, b"{}", {}, timeout=2).status == 200
    # Another loopback address is not in the listed network.
    with pytest.raises(outbound.RefusedDestination):
        outbound.check_url("http://127.0.0.2/hook")


def test_a_public_name_that_also_resolves_to_a_private_address_is_refused(monkeypatch, receiver):
    resolving(monkeypatch, {"hooks.example.com": ["93.184.215.14", "127.0.0.1"]})
    with pytest.raises(outbound.RefusedDestination, match=r"127\.0\.0\.1"):
        outbound.post(f"http://hooks.example.com:{receiver.port}/", b"{}", {}, timeout=2)
    assert receiver.hosts == []


def test_the_connection_goes_to_the_checked_address_with_the_urls_host(
    monkeypatch, receiver, settings
):
    """The name is resolved once, to an address that is checked; the request then goes
    to that address (a second, different DNS answer is never asked for) and still
    names the URL's host."""
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "hooks.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in next(answers)]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(outbound.socket, "getaddrinfo", rebinding)
    answer = outbound.post(f"http://hooks.example.com:{receiver.port}/in", b"{}", {}, timeout=2)
    assert answer.status == 200
    assert receiver.hosts == [f"hooks.example.com:{receiver.port}"]


def test_https_keeps_the_server_name_and_checks_the_certificate_for_it(
    monkeypatch, settings, tmp_path
):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=hooks.example.com", "-addext", "subjectAltName=DNS:hooks.example.com",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    server = Receiver(tls=server_tls)
    try:
        resolving(
            monkeypatch, {"hooks.example.com": ["127.0.0.1"], "other.example.com": ["127.0.0.1"]}
        )
        trusted = ssl.create_default_context(cafile=str(cert))
        monkeypatch.setattr(outbound.ssl, "create_default_context", lambda: trusted)
        answer = outbound.post(f"https://hooks.example.com:{server.port}/", b"{}", {}, timeout=5)
        assert answer.status == 200
        assert server.server_names == ["hooks.example.com"]
        assert server.hosts == [f"hooks.example.com:{server.port}"]
        # The same server under a name its certificate does not carry: refused by TLS.
        with pytest.raises(ssl.SSLCertVerificationError):
            outbound.post(f"https://other.example.com:{server.port}/", b"{}", {}, timeout=5)
    finally:
        server.stop()


def test_a_redirect_is_an_answer_not_followed(monkeypatch, settings):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/latest/")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/in"
        assert outbound.post(url, b"{}", {}, timeout=2).status == 307
        assert hits == ["/in"]
    finally:
        server.shutdown()
        server.server_close()


def test_an_answer_is_kept_short_on_one_line_with_secrets_redacted():
    answer = (
        b'{"ok": false, "access_token": "sk_live_51HxYzAbCdEfGhIjKlMnOp",\n'
        b'"detail": "Bearer abc.def.ghi rejected", "password": "hunter2", '
        b'"note": "' + b"x" * 1000 + b'"}'
    )
    kept = outbound.excerpt(answer)
    assert len(kept) <= 200
    assert "\n" not in kept
    for secret in ("sk_live_51HxYzAbCdEfGhIjKlMnOp", "abc.def.ghi", "hunter2"):
        assert secret not in kept
    assert kept.startswith('{"ok": false, "access_token": "[redacted]"')


# send: the general call (CalDAV servers and feeds)


class Answering:
    """A loopback HTTP server answering every method with ``status``, ``headers`` and
    ``body`` (after ``delay`` seconds), keeping what it was asked."""

    def __init__(self, status=200, body=b"hello", headers=(), delay=0.0):
        self.requests: list[tuple[str, str, dict]] = []
        answering = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                answering.requests.append((self.command, self.path, dict(self.headers)))
                time.sleep(delay)
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_PROPFIND = do_REPORT = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def answering():
    made = []

    def make(**kwargs):
        made.append(Answering(**kwargs))
        return made[-1]

    yield make
    for server in made:
        server.stop()


def test_send_gives_any_methods_status_headers_and_body(answering, settings):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    server = answering(status=207, body=b"<multistatus/>", headers=[("DAV", "1, calendar-access")])
    answer = outbound.send(
        "PROPFIND",
        f"{server.url}/dav/",
        headers={"Depth": "0"},
        body=b"<propfind/>",
        timeout=2,
        max_bytes=1000,
    )
    assert (answer.status, answer.body) == (207, b"<multistatus/>")
    assert answer.headers["dav"] == "1, calendar-access"
    assert server.requests[0][:2] == ("PROPFIND", "/dav/")
    assert server.requests[0][2]["Depth"] == "0"


def test_send_refuses_an_answer_longer_than_the_limit(answering, settings):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    server = answering(body=b"x" * 5000)
    with pytest.raises(outbound.AnswerTooLarge, match="more than 4999"):
        outbound.send("GET", server.url, headers={}, timeout=2, max_bytes=4999)
    assert outbound.send("GET", server.url, headers={}, timeout=2, max_bytes=5000).body == (
        b"x" * 5000
    )


def test_send_gives_up_when_the_whole_exchange_outlasts_the_timeout(answering, settings):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    server = answering(delay=3)
    began = time.monotonic()
    with pytest.raises(TimeoutError):
        outbound.send("GET", server.url, headers={}, timeout=0.5, max_bytes=100)
    assert time.monotonic() - began < 1.5


def test_send_refuses_loopback_unless_listed(answering):
    server = answering()
    with pytest.raises(outbound.RefusedDestination, match="loopback"):
        outbound.send("GET", server.url, headers={}, timeout=2, max_bytes=100)
    assert server.requests == []


def test_send_does_not_follow_a_redirect(answering, settings):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    server = answering(status=302, headers=[("Location", "http://169.254.169.254/")])
    answer = outbound.send("GET", server.url, headers={}, timeout=2, max_bytes=100)
    assert answer.status == 302
    assert len(server.requests) == 1


def test_a_password_goes_over_plain_http_only_to_a_listed_destination(
    answering, monkeypatch, settings
):
    server = answering()
    port = server.server.server_port
    # A public name that happens to lead to our loopback receiver: the address check is
    # opened for it, but the name itself is not listed by the operator.
    resolving(monkeypatch, {"caldav.example.com": ["127.0.0.1"]})
    monkeypatch.setattr(outbound, "address_problem", lambda address: None)
    with pytest.raises(outbound.RefusedDestination, match="only over https"):
        outbound.send(
            "GET",
            f"http://caldav.example.com:{port}/",
            headers={"Authorization": "Basic c2VjcmV0"},
            timeout=2,
            max_bytes=100,
            secret=True,
        )
    assert server.requests == []
    # Without a password the same request may go.
    url = f"http://caldav.example.com:{port}/"
    answer = outbound.send("GET", url, headers={}, timeout=2, max_bytes=100)
    assert answer.status == 200
    # Listed by the operator (a LAN server), plain http carries it.
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["caldav.example.com"]
    answer = outbound.send(
        "GET",
        url,
        headers={"Authorization": "Basic c2VjcmV0"},
        timeout=2,
        max_bytes=100,
        secret=True,
    )
    assert answer.status == 200
