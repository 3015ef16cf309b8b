"""Who may edit a page in the browser.

The edit token is a bearer secret the page's backend hands to its front end. It is
exchanged once (GET /editor/?edit_token=... or POST /editor/) for a grant kept in the
Django session, and never appears in a URL after that first request: the editor's own
pages, forms and links carry only the page's id.

The session keeps, per page id, the digest of the edit token it was opened with, and
every request compares it with the page's current digest: issuing a new edit token
(pages.services.issue_edit_token) ends every editor session opened with the old one.
"""

from __future__ import annotations

import hmac
import uuid

from django.http import HttpRequest

from pages import tokens
from pages.models import Configuration

SESSION_KEY = "editor_pages"
# One browser may edit several pages; the oldest grant goes first beyond this many.
MAX_PAGES_PER_SESSION = 20
MAX_TOKEN_LENGTH = 200


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
