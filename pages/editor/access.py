"""Who may edit a page in the browser.

The edit token is a bearer secret the page's backend hands to its front end. It is
exchanged once (GET /editor/?edit_token=... or POST /editor/) for a grant kept in the
Django session, and never appears in a URL after that first request: the editor's own
pages, forms and links carry only the page's id.

The session keeps, per page id, the digest of the edit token it was opened with, and
every request compares it with the page's current digest: issuing a new edit token
(pages.services.issue_edit_token) ends every editor session opened with the old one.

Login CSRF: a token sent from another site could be the attacker's own, exchanged in a
victim's browser so that the victim edits (and types into) the attacker's page. The
exchange is therefore direct only when the request comes from an origin we trust
(``exchange_is_trusted``): our own, or one the operator lists in
SCHEDULER_EDITOR_ORIGINS. From anywhere else the browser is shown the page it is about
to edit and asked to confirm, with a short-lived signed ticket and Django's CSRF check
(``editor_ticket``/``configuration_of_ticket``).
"""

from __future__ import annotations

import hmac
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from pages import tokens
from pages.models import Configuration

SESSION_KEY = "editor_pages"
# One browser may edit several pages; the oldest grant goes first beyond this many.
MAX_PAGES_PER_SESSION = 20
MAX_TOKEN_LENGTH = 200
TICKET_SALT = "pages.editor-open"
TICKET_MAX_AGE = 600  # seconds to confirm an exchange that came from another site


def configuration_of_token(token: object) -> Configuration | None:
    """The page whose edit token this is, or None."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    # Looked up by digest, as the API does (pages/api/auth.py): the token is never stored.
    return Configuration.objects.filter(edit_token_digest=tokens.digest(token)).first()


def grant_editing(request: HttpRequest, configuration: Configuration) -> None:
    """Let this browser's session edit ``configuration`` (keeping its other pages)."""
    grants = dict(request.session.get(SESSION_KEY) or {})
    grants.pop(str(configuration.pk), None)
    grants[str(configuration.pk)] = configuration.edit_token_digest
    while len(grants) > MAX_PAGES_PER_SESSION:
        grants.pop(next(iter(grants)))
    # A new session key whenever rights are added, as a login does: a session id planted
    # in the browser beforehand never becomes one that can edit.
    request.session.cycle_key()
    request.session[SESSION_KEY] = grants


def editable_configuration(request: HttpRequest, page_id: uuid.UUID) -> Configuration | None:
    """The page, if this session was granted it with the page's current edit token."""
    grants = request.session.get(SESSION_KEY)
    if not isinstance(grants, dict):
        return None
    granted_digest = grants.get(str(page_id))
    if not isinstance(granted_digest, str) or not granted_digest:
        return None
    configuration = Configuration.objects.select_related("grant").filter(pk=page_id).first()
    if configuration is None or not configuration.edit_token_digest:
        return None
    if not hmac.compare_digest(granted_digest, configuration.edit_token_digest):
        return None
    return configuration


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def trusted_origins(request: HttpRequest, configuration: Configuration) -> set[str]:
    """Origins that may hand this page's edit token to the editor directly: the site's
    own and SCHEDULER_EDITOR_ORIGINS. Not the page's own embed origins: its owner chooses
    those, and an owner may be the one forging the exchange (the embedded editor needs no
    exchange into a session: pages/editor/embed.py)."""
    own = {_origin(settings.SITE_URL), _origin(request.build_absolute_uri("/"))}
    return own | set(getattr(settings, "SCHEDULER_EDITOR_ORIGINS", []))


def exchange_is_trusted(request: HttpRequest, configuration: Configuration) -> bool:
    """Whether this request may swap the edit token for a session without asking.

    Browsers say where a request comes from in Sec-Fetch-Site (all current ones), and in
    Origin (every cross-origin POST) or Referer. "same-origin" and "none" (an address
    typed, a bookmark) are the person's own doing. A request with none of these headers
    is not a browser's cross-site request (a script, an old browser following a link
    with no referrer) and is taken as it is."""
    fetch_site = request.headers.get("Sec-Fetch-Site", "").lower()
    if fetch_site in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None and request.headers.get("Referer"):
        origin = _origin(request.headers["Referer"]) or "null"
    if origin is None:
        return not fetch_site
    return origin.lower() in trusted_origins(request, configuration)


def editor_ticket(configuration: Configuration) -> str:
    """A signed, short-lived stand-in for the edit token, for the confirmation form: the
    token itself is not written into the page."""
    payload = {"p": str(configuration.pk), "d": configuration.edit_token_digest}
    return signing.dumps(payload, salt=TICKET_SALT)


def configuration_of_ticket(ticket: object) -> Configuration | None:
    """The page an unexpired ticket names, if its edit token is still the one it was
    issued for."""
    if not isinstance(ticket, str) or not ticket or len(ticket) > 1000:
        return None
    try:
        payload = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
        page_id, granted_digest = uuid.UUID(payload["p"]), str(payload["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    configuration = Configuration.objects.filter(pk=page_id).first()
    if configuration is None or not configuration.edit_token_digest:
        return None
    if not hmac.compare_digest(granted_digest, configuration.edit_token_digest):
        return None
    return configuration
