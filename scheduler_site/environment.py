"""Settings from the environment, with the embedded default when a variable is unset.

Each reader takes the variable's name and the environment mapping, so it can be tested
without touching ``os.environ``. A bad value raises ``ImproperlyConfigured`` with a
message that starts with the variable's name: start-up stops and says what to fix.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# How long a booking waits for its hosts' row locks (bookings/services.py) at most.
BOOKING_LOCK_TIMEOUT_MS = 5000

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
HOST_NAME = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?")


def _fail(name: str, value: str, problem: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r}: {problem}")


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    if name not in env:
        return default
    value = env[name].strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise _fail(name, env[name], "expected one of 1/0, true/false, yes/no, on/off")


def env_int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    if name not in env:
        return default
    try:
        value = int(env[name])
    except ValueError:
        raise _fail(name, env[name], "expected a whole number") from None
    if value < minimum:
        raise _fail(name, env[name], f"must be at least {minimum}")
    return value


def env_list(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    if name not in env:
        return list(default)
    items = [item.strip() for item in env[name].split(",") if item.strip()]
    if not items:
        raise _fail(name, env[name], "expected a comma-separated list of host names")
    return items


def env_origins(env: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated list of web origins (scheme://host[:port], nothing after)."""
    origins = []
    for item in env.get(name, "").split(","):
        item = item.strip().rstrip("/")
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
            raise _fail(
                name, env[name], f"{item!r} is not an origin such as https://app.example.com"
            )
        if parts.query or parts.fragment or parts.username or parts.password:
            raise _fail(
                name, env[name], f"{item!r} is not an origin such as https://app.example.com"
            )
        origins.append(f"{parts.scheme}://{parts.netloc}".lower())
    return origins


def private_destinations(env: Mapping[str, str], name: str) -> list[str]:
    """Comma-separated CIDRs (``10.0.0.0/8``, ``127.0.0.1/32``, ``fd00::/8``) and host
    names (``caldav.internal``) that outbound requests may reach although they are
    private (pages/outbound.py). Empty by default."""
    entries = [item.strip() for item in env.get(name, "").split(",") if item.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry.strip("[]"), strict=False)
        except ValueError:
            if not HOST_NAME.fullmatch(entry):
                raise _fail(
                    name, env[name], f"{entry!r} is neither a CIDR nor a host name"
                ) from None
    return entries


def secret_key(env: Mapping[str, str], name: str, key_file: Path) -> str:
    """The SECRET_KEY, or one generated once and kept in ``key_file`` (the embedded
    default), so that a fresh machine gets a real random key and restarts keep it."""
    if name in env:
        value = env[name]
        if len(value) < 32:
            raise _fail(name, "***", "must be at least 32 characters long")
        return value
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    key_file.write_text(value)
    key_file.chmod(0o600)
    return value


def encryption_keys(env: Mapping[str, str], name: str, key_file: Path) -> list[str]:
    """The keys that seal connected calendars' credentials: comma-separated, the first
    seals new writes, every one opens (rotation). Without the variable, one generated
    once into ``key_file`` (the embedded default), like the secret key."""
    if name in env:
        keys = [key.strip() for key in env[name].split(",") if key.strip()]
        if not keys:
            raise _fail(name, "***", "must name at least one key")
        if any(len(key) < 32 for key in keys):
            raise _fail(name, "***", "each key must be at least 32 characters long")
        return keys
    return [secret_key({}, name, key_file)]


def site_url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, default).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(name, value, "expected an absolute http(s) URL such as https://cal.example.com")
    if parts.query or parts.fragment:
        raise _fail(name, value, "must not have a query string or fragment")
    return value.rstrip("/")


def web_base(env: Mapping[str, str], name: str, default: str) -> str:
    """An absolute http(s) base address (a path allowed, no credentials, query or
    fragment), without its trailing slash: say the Jitsi Meet server rooms are made on."""
    value = env.get(name, default).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(name, value, "expected an absolute http(s) URL such as https://meet.jit.si")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise _fail(name, value, "must not have a user name, password, query string or fragment")
    return value.rstrip("/")


def database(env: Mapping[str, str], name: str, default_sqlite: Path) -> dict[str, Any]:
    import dj_database_url

    if name not in env:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite),
            # Write transactions take the database lock at BEGIN, so a booking's
            # check-and-insert cannot interleave with another's (DESIGN.md invariant 1).
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    value = env[name]
    scheme = urlsplit(value).scheme
    if scheme not in ("postgres", "postgresql", "pgsql", "sqlite"):
        raise _fail(name, value, "expected a postgres:// or sqlite:/// URL")
    try:
        config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises several kinds on a malformed URL
        raise _fail(name, value, f"cannot be parsed ({exc})") from None
    if scheme == "sqlite":
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
        config["CONN_MAX_AGE"] = 0
    elif not config.get("NAME"):
        raise _fail(name, value, "names no database (add /dbname at the end)")
    else:
        # Our backend: Django's, with a client-side deadline on every wait for the server
        # (scheduler_site/postgresql/base.py explains why the server's timeouts are not
        # enough when it hangs).
        config["ENGINE"] = "scheduler_site.postgresql"
        connect_seconds = env_int(env, "DATABASE_CONNECT_TIMEOUT", 5)
        statement_seconds = env_int(env, "DATABASE_STATEMENT_TIMEOUT", 10)
        config["STATEMENT_TIMEOUT_SECONDS"] = statement_seconds
        # A booking waits at most this long for a host's row lock, then gets a 409; it
        # stays below the statement timeout, which would otherwise answer first (503).
        lock_ms = min(BOOKING_LOCK_TIMEOUT_MS, statement_seconds * 500) or BOOKING_LOCK_TIMEOUT_MS
        options = config.setdefault("OPTIONS", {})
        options.setdefault(
            "options",
            f"-c lock_timeout={lock_ms} -c statement_timeout={statement_seconds * 1000}",
        )
        if connect_seconds:
            options["connect_timeout"] = max(2, connect_seconds)  # psycopg's shortest
        if env_bool(env, "DATABASE_PREPARED_STATEMENTS", True):
            # Parameters bound by the server, and a statement run twice on a connection
            # is prepared: the hot paths' queries skip planning (a fifth of a booking
            # page fragment's time). Off for poolers that cannot keep them.
            options["server_side_binding"] = True
            options["prepare_threshold"] = 2
    return config


def celery_broker(env: Mapping[str, str], names: tuple[str, ...], folder: Path) -> tuple[str, dict]:
    """The broker URL and transport options. Unset: kombu's filesystem transport in
    ``folder``, which lets a real worker run with no broker server."""
    for name in names:
        if name in env:
            value = env[name].strip()
            scheme = urlsplit(value).scheme
            if scheme not in ("redis", "rediss", "amqp", "amqps", "filesystem", "memory"):
                raise _fail(name, value, "expected a redis://, amqp:// or filesystem:// URL")
            if scheme != "filesystem":
                return value, {"visibility_timeout": 3600}
            break
    queue, processed, control = folder / "queue", folder / "processed", folder / "control"
    for path in (queue, processed, control):
        path.mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "control_folder": str(control),
        "store_processed": False,
    }


def email(env: Mapping[str, str], name: str, mail_folder: Path) -> dict[str, Any]:
    """Django email settings from one URL.

    smtp://[user:password@]host:port        plain SMTP (STARTTLS with ?tls=1)
    smtps://[user:password@]host:port       SMTP over TLS
    file:///absolute/folder                 one .eml-style file per message
    console:                                printed to standard output
    Unset: the file backend into ``mail_folder``.
    """
    if name not in env:
        mail_folder.mkdir(parents=True, exist_ok=True)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_folder),
        }
    value = env[name].strip()
    parts = urlsplit(value)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "file":
        if not parts.path.startswith("/"):
            raise _fail(name, value, "a file:// URL needs an absolute folder path")
        Path(parts.path).mkdir(parents=True, exist_ok=True)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    if parts.scheme not in ("smtp", "smtps"):
        raise _fail(name, value, "expected smtp://host:port, smtps://, file:///folder or console:")
    try:
        port = parts.port
    except ValueError:
        raise _fail(name, value, "the port is not a number") from None
    if not parts.hostname:
        raise _fail(name, value, "names no host")
    query = parse_qs(parts.query)
    use_tls = query.get("tls", ["0"])[0].lower() in TRUE_WORDS
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_TIMEOUT": 20,
    }
