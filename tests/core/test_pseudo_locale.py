"""Every word a person reads on the main pages is marked for translation (issue 10,
item 16).

The pages are rendered under a pseudo-locale: every message that goes through
gettext (``{% translate %}``, ``{% blocktranslate %}``, ``gettext``, lazy model
labels and choices, Django's and allauth's own strings) comes back wrapped in
``⟦…⟧``. What is left outside the brackets must be data: names, codes, numbers,
dates, e-mail addresses, the program's own test and title names, what people
typed. A word of English outside the brackets is a string nobody marked.

The demo (``certwright demo load``) provides one person of each role and the
state that fills their pages; each role's main pages are crawled with the test
client, their menus included.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client
from django.utils.translation import trans_real

from certwright.accounts.models import Organization
from certwright.candidates.models import ExperienceRecord, Technician
from certwright.commerce.selectors import US_STATES
from certwright.core.program import current_program
from certwright.itembank.models import ItemVersion
from certwright.scheduling.models import Closure, TestCentre
from certwright.shops.models import ShopProfile

pytestmark = pytest.mark.django_db

OPEN, CLOSE = "⟦", "⟧"


class PseudoTranslation(trans_real.DjangoTranslation):
    """A translation that wraps every message in ⟦…⟧, so marked text shows."""

    def gettext(self, message: str) -> str:
        # pgettext sends "context\x04message" and falls back to the bare message
        # when the separator comes back: answer the message, wrapped.
        message = message.rpartition(trans_real.CONTEXT_SEPARATOR)[2]
        return f"{OPEN}{message}{CLOSE}"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


@pytest.fixture
def pseudo_locale(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The site's language answers every message wrapped in ⟦…⟧."""
    pseudo = PseudoTranslation(settings.LANGUAGE_CODE)
    # The cache of loaded translations (untyped in the stubs): the site's language
    # now loads the pseudo one, wherever it is activated.
    translations = vars(trans_real)["_translations"]
    monkeypatch.setitem(translations, settings.LANGUAGE_CODE, pseudo)
    monkeypatch.setattr(trans_real, "_default", pseudo)
    trans_real.deactivate()
    yield
    trans_real.deactivate()


# --- what is left outside the brackets --------------------------------------------

_SKIP = {"script", "style", "template", "svg", "code", "pre", "textarea"}
# Attributes a person reads or hears (screen readers read aria-label and alt).
_SPOKEN = {"title", "alt", "placeholder", "aria-label"}


class _Text(HTMLParser):
    """The visible text of a page, in order, and its spoken attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.spoken: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping.append(tag)
        if self._skipping:
            return
        values = dict(attrs)
        self.spoken.extend(values[name] or "" for name in _SPOKEN if values.get(name))
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.spoken.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.nodes.append(" ".join(data.split()))


_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
# Data that needs no translation: numbers, money, dates and times, codes such as A1,
# L1, T2 or ABC-1234, e-mail addresses, URLs, and punctuation and symbols.
_DATA_TOKEN = re.compile(
    r"""
    [\W_]+                                   # punctuation, symbols, arrows
    | [#(]?[$€£]?-?\d[\d,.:/%×x–-]*\w{0,2}\)?[.,;:]?  # 12, $1,234.50, 2026-12-05, 3rd
    | –?\d\d:\d\d(–\d\d:\d\d)?                # opening hours: 07:30–16:30
    | \(?[A-Z]{1,4}\d{0,3}[a-z]?\)?[.,;:]?        # series and test codes: A, A1, L1
    | [A-Z0-9]{2,}(-[A-Z0-9]+)+               # codes with dashes: voucher, launch code
    | [\w.+-]+@[\w.-]+                        # e-mail addresses
    | https?://\S+ | /\S*                     # addresses
    | \(?[A-Z][a-z]+/[A-Za-z_/]+\)?           # time zones: (America/Chicago)
    """,
    re.VERBOSE,
)
# The brand names, shown as they are in every language.
_NAMES = ["Certwright", "OpenAPI"]
_NODE = "\x1f"  # between text nodes: no message holds it


def _peel(text: str) -> str:
    """``text`` less every marked message (a message may hold marked pieces); the
    node separators inside a message stay."""
    while (peeled := _MARKED.sub(_separators_only, text)) != text:
        text = peeled
    return text


def _separators_only(match: re.Match[str]) -> str:
    return _NODE * match.group().count(_NODE) or " "


def _unmarked(text: str, data: re.Pattern[str]) -> str:
    """What of ``text`` is neither marked for translation nor data ('' if nothing)."""
    text = data.sub(" ", text)
    return " ".join(w for w in text.split() if not _DATA_TOKEN.fullmatch(w))


def _page_unmarked(html: str, data: re.Pattern[str]) -> list[str]:
    """The unmarked words of a page, each with the text it stands in.

    A marked message may span several text nodes (a link inside a
    ``{% blocktranslate %}``), so the marks are peeled off the page's whole text;
    the nodes are kept apart by a separator no message holds.
    """
    parser = _Text()
    parser.feed(html)
    found = []
    nodes = _peel(_NODE.join(parser.nodes)).split(_NODE)
    for original, rest in zip(parser.nodes, nodes, strict=True):
        if left := _unmarked(rest, data):
            found.append(f"{left!r} in {original[:100]!r}")
    for original in parser.spoken:
        if left := _unmarked(_peel(original), data):
            found.append(f"{left!r} in attribute {original[:100]!r}")
    return found


def _data() -> re.Pattern[str]:
    """What people and the program's data files wrote, shown as they are: the
    program's names (series, tests, titles, content areas, fee classes), people's
    and organizations' names and addresses, what candidates typed about their
    experience."""
    program = current_program()
    found: set[str] = {program.name, program.id, *_NAMES}
    found.update(series.name for series in program.series.values())
    found.update(title.name for title in program.titles.values())
    found.update(kind.name for kind in program.experience.kinds.values())
    for test in program.tests.values():
        found.add(test.name)
        found.update(
            f"{area.code}. {area.name}"
            for blueprint in test.blueprints
            for area in blueprint.areas
        )
    classes = {fee_class for period in program.fees for fee_class in period.test_fees}
    found.update(classes | {fee_class.capitalize() for fee_class in classes})
    found.update((program.body, *program.address))
    for technician in Technician.objects.all():
        found.update((technician.name, technician.email))
    for user in get_user_model().objects.all():
        found.update((user.get_full_name(), user.username, user.email))
    found.update(Organization.objects.values_list("name", flat=True))
    for centre in TestCentre.objects.all():
        found.update((centre.name, centre.address, centre.city, centre.address_line1))
    found.update(Closure.objects.values_list("reason", flat=True))
    found.update(ItemVersion.objects.values_list("task", flat=True))  # study tasks
    found.update(US_STATES.values())  # the billing regions: proper names
    # Shops: the program's areas of service and recognition names, and addresses.
    found.update(area.name for area in program.shops.areas.values())
    found.update(rule.name for rule in program.shops.recognitions.values())
    for profile in ShopProfile.objects.all():
        found.update((profile.address, profile.city))
    for record in ExperienceRecord.objects.all():
        found.update((record.employer, record.role, record.note))
    # Whole words only, the longest first ("Pat Candidate" before "Pat").
    values = sorted((s for s in found if s), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, values)) + r")(?!\w)")


# --- the pages -----------------------------------------------------------------------


@pytest.fixture
def demo(settings: Any) -> None:
    settings.CERTWRIGHT_STAFF_MFA = False
    call_command("demo", "load", stdout=io.StringIO(), stderr=io.StringIO())


def _links(html: str) -> set[str]:
    found = set()
    for href in re.findall(r'href="([^"#?]*)', html):
        path = urlsplit(href).path
        if path.startswith("/") and not path.startswith(_NOT_CRAWLED):
            found.add(path)
    return found


_NOT_CRAWLED = (
    "/admin/",
    "/api/",
    "/static/",
    "/media/",
    "/accounts/logout/",
    "/favicon.ico",
    # The psychometrics guide is docs/psychometrics.md rendered: documentation, in
    # English like the rest of docs/.
    "/scoring/guide/",
)


def _crawl(client: Client, start: Iterable[str]) -> dict[str, str]:
    """The pages at ``start`` and every page they link to (one step), by path."""
    pages: dict[str, str] = {}
    todo = list(start)
    first = set(todo)
    while todo:
        path = todo.pop(0)
        if path in pages:
            continue
        response = client.get(path, follow=True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[path] = html
        if path in first:
            todo.extend(sorted(_links(html) - pages.keys()))
    return pages


# Each role's landing page and main pages; every page they link to is crawled too.
ROLES = {
    None: [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/me/catalog/",
        "/shops/?q=62701",
        "/shops/MAINST/",
        "/verify/",
    ],
    "candidate@example.com": [
        "/me/",
        "/me/catalog/",
        "/shop/cart/",
        "/renewal/",
        "/shop/orders/",
        "/shop/study/",
        "/booking/",
        "/exam/mine/",
        "/me/certificates/",
        "/experience/",
        "/account/",
        "/credentials/mine/",
        "/shops/mine/",
        "/me/share-links/",
    ],
    "employer@example.com": ["/account/organizations/", "/shop/vouchers/"],
    "proctor@example.com": ["/proctor/", "/booking/centres/mine/"],
    "staff@example.com": ["/staff/", "/experience/review/", "/scoring/"],
}


@pytest.mark.parametrize("email", list(ROLES), ids=lambda e: e or "anonymous")
def test_every_word_on_the_main_pages_is_marked_for_translation(
    demo: None, pseudo_locale: None, client: Client, email: str | None
) -> None:
    """Each role's main pages and the pages they link to show no unmarked text."""
    # given the demo's person of that role, signed in
    if email:
        client.force_login(get_user_model().objects.get(email=email))
    data = _data()
    # when their pages are rendered under the pseudo-locale
    pages = _crawl(client, ROLES[email])
    # then every visible word is marked or data
    unmarked = {
        path: found
        for path, html in pages.items()
        if (found := _page_unmarked(html, data))
    }
    assert len(pages) >= len(ROLES[email])
    assert not unmarked, "\n".join(
        f"{path}:\n  " + "\n  ".join(found) for path, found in unmarked.items()
    )


def test_an_unmarked_string_is_found(pseudo_locale: None) -> None:
    """The check fails on a word nobody marked, in a text node or a spoken
    attribute, and passes marked messages, data and a marked message that spans a
    link."""
    # given a page with marked text, data, and two unmarked strings
    page = Template(
        "{% load i18n %}<main><h1>{% translate 'Your cart' %}</h1>"
        "<p>{% blocktranslate %}New here? <a href='/s/'>Register</a> now."
        "{% endblocktranslate %}</p><p>Pat Candidate · A1 · $62.00 · 2026-12-05</p>"
        "<p>Checkout now</p><button aria-label='Close'>×</button>"
        "<script>var text = 'not read';</script></main>"
    ).render(Context())
    data = re.compile(r"(?<!\w)Pat Candidate(?!\w)")
    # when its text is checked
    found = _page_unmarked(page, data)
    # then exactly the two unmarked strings are reported
    assert found == [
        "'Checkout now' in 'Checkout now'",
        "'Close' in attribute 'Close'",
    ]


def test_the_why_panel_is_marked_for_translation(
    demo: None, pseudo_locale: None, client: Client
) -> None:
    """The admin's "Why" panel of a technician (the rules core's explanation, the
    title plans, the timeline) shows no unmarked text: the core's sentences are
    worded through certwright.core.rule_words."""
    # given program staff, and the demo technician with results and experience
    client.force_login(get_user_model().objects.get(email="staff@example.com"))
    technician = Technician.objects.get(user__email="candidate@example.com")
    # when the panel is rendered under the pseudo-locale
    response = client.get(
        f"/admin/candidates/technician/{technician.pk}/change/", follow=True
    )
    html = response.content.decode()
    assert 'id="why"' in html, "the page has no Why panel"
    panel = html[html.index('<div class="module aligned cw-why"') :]
    # (the audit trail below it shows stored records: what was written, as written)
    panel = panel[: panel.index("Recorded changes")]
    # then every visible word of it is marked or data (the program's rule keys,
    # "titles.master-automobile", name where a rule is written: code, not words)
    found = [
        word
        for word in _page_unmarked(panel, _data())
        if not re.fullmatch(r"'[\w.\-\[\], ]+' in '(⟦rules:⟧|rules:) .*'", word)
    ]
    assert not found, "\n".join(found)
