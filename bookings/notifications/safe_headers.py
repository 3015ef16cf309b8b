"""Header values built from guest text, safely.

A guest name is free text from the internet. Put raw into a header it could end the
header and start another ("Eve\\r\\nBcc: everyone@example.com"). Every name goes through
``one_line`` (control characters, line breaks included, become spaces) and then into an
address only through ``email.utils.formataddr``, which quotes or encodes it; Django then
refuses any header that still holds a line break. An address is parsed
(``email-validator``, syntax only) and only the parsed address reaches a header.
"""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.utils import formataddr

from email_validator import EmailNotValidError, validate_email

MAX_ADDRESS_LENGTH = 254
# C0 controls (CR and LF among them), DEL, C1 controls, and the Unicode line separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str, *, limit: int = 200) -> str:
    """``text`` as one line of plain words, at most ``limit`` characters."""
    return " ".join(_CONTROL.sub(" ", text or "").split())[:limit]


def _checked(email: object):
    if not isinstance(email, str) or len(email) > MAX_ADDRESS_LENGTH or _CONTROL.search(email):
        return None
    try:
        # Syntax only: no DNS lookups (deliverability is the mail server's business).
        # SMTPUTF8 off: a local part outside ASCII is refused, a Unicode domain is
        # sent in its ASCII (IDNA) form.
        return validate_email(email, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None


def address_of(email: object) -> str | None:
    """``email`` as one normalized mailbox address (email-validator), or None when it is
    not exactly one address: ``victim@x.test>,<attacker`` is None, not two."""
    checked = _checked(email)
    return checked.normalized if checked else None


def valid_address(email: object) -> bool:
    return _checked(email) is not None


def mailbox(name: str, email: str) -> str:
    """``"Name" <address>`` for a To, Reply-To or Cc header, built from the parsed address
    (never from the text as given) and a name made one line."""
    checked = _checked(email)
    if checked is None:
        raise ValueError(f"Not an email address: {email!r}")
    address = Address(display_name=one_line(name), addr_spec=checked.ascii_email)
    return formataddr((address.display_name, address.addr_spec))
