"""A webhook receiver on loopback for the tests: it answers the verification GET the way
it is told (echo the challenge, or a status, a body of its own, or too late) and keeps
every request (method, path with query, headers in lower case, raw body). POSTs get
``post_status``."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Receiver:
    def __init__(
        self,
        *,
        get_status: int = 200,
        get_body: bytes | None = None,
        get_delay: float = 0,
        post_status: int = 200,
    ):
        self.get_status = get_status
        self.get_body = get_body  # None: echo the challenge
        self.get_delay = get_delay
        self.post_status = post_status
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                receiver.requests.append(("GET", self.path, self._headers(), b""))
                time.sleep(receiver.get_delay)
                challenge = parse_qs(urlsplit(self.path).query).get("challenge", [""])[0]
                body = receiver.get_body if receiver.get_body is not None else challenge.encode()
                self._answer(receiver.get_status, body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(("POST", self.path, self._headers(), body))
                self._answer(receiver.post_status, b"thanks")

            def _headers(self) -> dict[str, str]:
                return {name.lower(): value for name, value in self.headers.items()}

            def _answer(self, status: int, body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the caller gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def gets(self) -> list[str]:
        return [path for method, path, _headers, _body in self.requests if method == "GET"]

    def posts(self) -> list[tuple[dict[str, str], bytes]]:
        return [(h, b) for method, _path, h, b in self.requests if method == "POST"]

    def payloads(self) -> list[dict]:
        return [json.loads(body) for _headers, body in self.posts()]
