"""Text that someone else typed, made safe to put in an e-mail.

A candidate chooses their name, their employer's name and the employer's address,
so a mail "from us" to that address carries whatever they typed. Mail clients turn
anything that looks like a web address, a bare domain or an e-mail address into a
link, in the plain-text part and the HTML part alike; ``link_free`` breaks each such
token the way security mail does ("evil[.]example"), so it reads as text and is
never a link. Forms refuse such names up front (``looks_like_link``); this is the
second line, for what was stored before or arrives another way.
"""

from __future__ import annotations

import re
import unicodedata

# Dots a linkifier may take for "." (ideographic, full-width, half-width).
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})

# A scheme ("http://", "mailto:"), "www.", an "@", or a bare domain: labels joined by
# dots ending in a letters-only top-level label ("evil.example", "x.co.uk").
_LINKISH = re.compile(
    r"""
      [a-z][a-z0-9+.\-]*://\S*
    | \b(?:mailto|javascript|data):\S*
    | \bwww\.\S*
    | \S*@\S*
    | (?<![\w.\-])
      [a-z0-9](?:[a-z0-9\-]*[a-z0-9])?
      (?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*
      \.[a-z]{2,63}
      (?![\w\-])\S*
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_DOTS)


def looks_like_link(text: str) -> str | None:
    """The first part of ``text`` a mail client would make a link of, or None."""
    found = _LINKISH.search(_normal(text))
    return found.group(0) if found else None


def _defang(token: str) -> str:
    return token.replace(":", "[:]").replace(".", "[.]").replace("@", "[at]")


def link_free(text: object) -> str:
    """``text`` with every link-like token broken ("evil[.]example",
    "http[:]//..."); anything else is left exactly as it was."""
    value = _normal(str(text))
    return _LINKISH.sub(lambda m: _defang(m.group(0)), value)
