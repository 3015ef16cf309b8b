"""Header values built from guest text, safely.

A guest name is free text from the internet. Put raw into a header it could end the
header and start another ("Eve\\r\\nBcc: everyone@example.com"). Every name goes through
``one_line`` (control characters, line breaks included, become spaces) and then into an
address only through ``email.utils.formataddr``, which quotes or encodes it; Django then
refuses any header that still holds a line break.
"""

from __future__ import annotations

import re
from email.utils import formataddr

# C0 controls (CR and LF among them), DEL, C1 controls, and the Unicode line separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str, *, limit: int = 200) -> str:
    """``text`` as one line of plain words, at most ``limit`` characters."""
    return " ".join(_CONTROL.sub(" ", text or "").split())[:limit]


def valid_address(email: str) -> bool:
    local, at, domain = (email or "").rpartition("@")
    return bool(at and local and domain) and not _CONTROL.search(email) and " " not in email


def mailbox(name: str, email: str) -> str:
    """``"Name" <email>`` for a To/Reply-To header."""
    if not valid_address(email):
        raise ValueError(f"Not an email address: {email!r}")
    return formataddr((one_line(name), email))
