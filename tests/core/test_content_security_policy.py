"""Every page carries a Content-Security-Policy that allows no inline script, and
no template needs one: scripts are static files.

The policy applies in every mode (tests included), so the browser tests
(tests/browser/test_pages_keep_the_content_security_policy.py) prove the pages
work under it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.core.test_settings_env import settings_in_child

CERTWRIGHT = Path(__file__).resolve().parents[2] / "certwright"
# Rendered for mail clients and WeasyPrint, never served to a browser as a page.
NOT_PAGES = (
    "/notifications/email/",
    "/delivery/report_pdf.html",
    "/commerce/invoice_pdf.html",
    "/certificates/certificate_pdf.html",
    "/certificates/wallet_card_pdf.html",
)


def directives(header: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "signed_in"),
    [
        ("/", False),
        ("/accounts/login/", False),
        ("/me/catalog/", False),
        ("/api/docs", False),
        ("/admin/", True),
        ("/admin/auth/user/add/", True),
    ],
)
def test_pages_forbid_inline_scripts(client, admin_user, path, signed_in):
    """The public pages, the API docs and the admin answer with the policy: scripts
    only from this site, no plugin, no framing, forms only to this site."""
    # given
    if signed_in:
        client.force_login(admin_user)
    # when
    response = client.get(path)
    # then
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in json.dumps(
        {k: v for k, v in policy.items() if k != "style-src-attr"}
    )
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_report_only_mode_reports_instead_of_blocking():
    """CERTWRIGHT_CSP_REPORT_ONLY=1 sends the same policy as report-only, to the
    CERTWRIGHT_CSP_REPORT_URI given."""
    # when
    child = settings_in_child(
        {
            "CERTWRIGHT_DEBUG": "1",
            "CERTWRIGHT_CSP_REPORT_ONLY": "1",
            "CERTWRIGHT_CSP_REPORT_URI": "https://reports.example.org/csp",
        },
        "CONTENT_SECURITY_POLICY_REPORT_ONLY",
    )
    # then
    assert child.returncode == 0, child.stderr
    policy = json.loads(child.stdout)["CONTENT_SECURITY_POLICY_REPORT_ONLY"]
    assert policy["DIRECTIVES"]["script-src"] == ["'self'"]
    assert policy["DIRECTIVES"]["report-uri"] == ["https://reports.example.org/csp"]
    enforced = settings_in_child(
        {"CERTWRIGHT_DEBUG": "1", "CERTWRIGHT_CSP_REPORT_ONLY": "1"},
        "CONTENT_SECURITY_POLICY",
    )
    assert enforced.returncode != 0  # not set at all: nothing is enforced


PAGE_TEMPLATES = sorted(
    path
    for path in CERTWRIGHT.rglob("templates/**/*.html")
    if not any(part in path.as_posix() for part in NOT_PAGES)
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
FORBIDDEN = {
    "an inline <script>": INLINE_SCRIPT,
    "an inline event handler (onclick=...)": HANDLER,
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "htmx's hx-on (needs eval)": re.compile(r"\shx-on"),
    "a <style> element": re.compile(r"<style[\s>]"),
}


def test_templates_hold_nothing_the_policy_blocks():
    """No page template has inline script, event handlers, javascript: URLs, hx-on
    or <style> elements (e-mail and PDF templates are not pages)."""
    # given
    assert len(PAGE_TEMPLATES) > 50
    # when
    found = [
        f"{path.relative_to(CERTWRIGHT)}: {what}"
        for path in PAGE_TEMPLATES
        for what, pattern in FORBIDDEN.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    # then
    assert found == []
