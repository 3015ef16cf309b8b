"""Loopback HTTP servers for what Radicale cannot be: a web server that is not CalDAV, a
server that stalls, an iCal feed. ``LoopbackServer(handler)`` serves a handler class on a
spare 127.0.0.1 port in a thread; the ``web`` fixture (conftest.py) stops them after the
test."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    def __init__(self, handler):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Quiet(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass


class FeedBody:
    """What a feed server serves now; a test changes ``text`` between passes. Its ETag is
    the digest of the text, and a GET that names it gets a 304."""

    def __init__(self, text: str = ""):
        self.text = text
        self.requests: list[dict] = []

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.text.encode()).hexdigest()[:16] + '"'


def feed_handler(body: FeedBody):
    class Feed(Quiet):
        def do_GET(self):
            body.requests.append(dict(self.headers))
            if self.headers.get("If-None-Match") == body.etag:
                self.send_response(304)
                self.end_headers()
                return
            data = body.text.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("ETag", body.etag)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Feed


def proxy_handler(target: str, stall=None, seen: list | None = None, rewrite=None):
    """Forwards every request to ``target`` (a Radicale), answering what it answered.
    ``stall(method, body)`` true: the request gets no answer for 5 s, then the
    connection closes (a server that hangs). ``seen`` collects (method, body) pairs.
    ``rewrite(method, data)`` changes an answer's body (a server that says otherwise)."""
    import http.client
    import time
    from urllib.parse import urlsplit

    parts = urlsplit(target)

    class Proxy(Quiet):
        protocol_version = "HTTP/1.1"

        def _forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if seen is not None:
                seen.append((self.command, body))
            if stall is not None and stall(self.command, body):
                time.sleep(5)
                self.close_connection = True
                return
            upstream = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                if rewrite is not None:
                    data = rewrite(self.command, data)
            finally:
                upstream.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = _forward

    return Proxy
