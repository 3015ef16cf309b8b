"""The official Scheduling web component (@nylas/web-elements) from npm, and a page on
another loopback origin that loads it: what test_web_component_browser drives.

The package is installed once per version into var/npm/ (a fresh CI clone installs it
once per run; a developer's machine keeps it), with npm's ordinary client and its
install scripts off. Nothing of it is patched: the page loads the package's own CDN
bundle, unchanged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

# 2.6.0 (the latest) needs @nylas/core ^1.4.0, which the npm registry reachable here does
# not have; 2.5.18 is the newest whose dependencies all install.
PACKAGE = "@nylas/web-elements"
VERSION = "2.5.18"
# What the package's readme loads in a plain HTML page: Stencil's loader, which defines
# every element and loads each one's code from beside it on first use.
LOADER = "dist/nylas-web-elements/nylas-web-elements.esm.js"
INSTALL_TIMEOUT_S = 300


class Unavailable(Exception):
    """npm or the registry is not there: the test skips, which CI turns into a failure."""


def installed_package(var_dir: Path) -> Path:
    """The package's folder, installing it first if this version is not there yet."""
    home = var_dir / "npm" / f"web-elements-{VERSION}"
    package = home / "node_modules" / "@nylas" / "web-elements"
    if _version_of(package) == VERSION and (package / LOADER).is_file():
        return package
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable("npm is not installed (apt-get install npm)")
    # Install beside the final folder, then move it in: an interrupted install is never
    # taken for a complete one.
    staging = home.with_name(home.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "package.json").write_text('{"name": "web-elements-under-test", "private": true}')
    try:
        subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--no-package-lock",
                f"{PACKAGE}@{VERSION}",
            ],
            cwd=staging,
            check=True,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as failed:
        shutil.rmtree(staging, ignore_errors=True)
        why = f"npm install {PACKAGE}@{VERSION} failed: {failed.stderr[-2000:]}"
        raise Unavailable(why) from None
    except subprocess.TimeoutExpired:
        shutil.rmtree(staging, ignore_errors=True)
        why = f"npm install {PACKAGE}@{VERSION} took over {INSTALL_TIMEOUT_S} s"
        raise Unavailable(why) from None
    # Another process (the other half of CI) may have moved its own install in meanwhile:
    # keep that one, which may be serving pages already, and drop ours.
    if _version_of(package) == VERSION and (package / LOADER).is_file():
        shutil.rmtree(staging, ignore_errors=True)
        return package
    shutil.rmtree(home, ignore_errors=True)
    try:
        staging.rename(home)
    except OSError:  # it appeared between the check and the move
        shutil.rmtree(staging, ignore_errors=True)
    return package


def _version_of(package: Path) -> str | None:
    try:
        return json.loads((package / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


class ComponentSite:
    """A static site on 127.0.0.1 (another origin than the live server's localhost):
    /web-elements/ is the installed package, as the readme's page loads it from
    node_modules, and each page put with ``page()`` is an HTML page with one
    <nylas-scheduling> element."""

    TYPES = {".js": "text/javascript", ".css": "text/css", ".json": "application/json"}

    def __init__(self, package: Path):
        self.root = package.resolve()
        self.pages: dict[str, str] = {}
        site = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                path = unquote(parts.path)
                if path in site.pages:
                    # A page may take ?booking_ref= from its address into an attribute,
                    # as a customer's page for the emailed links does.
                    ref = parse_qs(parts.query).get("booking_ref", [""])[0]
                    html = site.pages[path].replace("{booking_ref}", escape(ref))
                    self._send(html.encode(), "text/html; charset=utf-8")
                    return
                if path.startswith("/web-elements/"):
                    file = (site.root / path.removeprefix("/web-elements/")).resolve()
                    if file.is_file() and file.is_relative_to(site.root):
                        kind = site.TYPES.get(file.suffix, "application/octet-stream")
                        self._send(file.read_bytes(), kind)
                        return
                self.send_error(404)

            def _send(self, body: bytes, content_type: str):
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def page(self, name: str, **attributes: str) -> str:
        """A page whose <nylas-scheduling> has these attributes (underscores become
        dashes; a value may be "{booking_ref}", taken from the page's query); returns its
        address."""
        rendered = " ".join(
            f'{key.replace("_", "-")}="{value}"' for key, value in attributes.items()
        )
        self.pages[f"/{name}.html"] = (
            "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{name}</title>"
            f"<script type='module' src='/web-elements/{LOADER}'></script></head>"
            f"<body><nylas-scheduling {rendered}></nylas-scheduling></body></html>"
        )
        return f"{self.url}/{name}.html"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
