"""The steps of issue 11's proof story as the pages take them (an employer's page
verifying, a technician's phone managing share links and credentials, a visitor on
the shop finder), shared by the browser tests that walk part or all of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def verify_by_id_and_last_name(page: Any, certification_id: str, last_name: str) -> Any:
    """From the home page's link, the public lookup; returns the answer's section."""
    page.goto("/")
    page.get_by_role("link", name="Verify a technician's certification").click()
    page.get_by_label("Certification ID").fill(certification_id)
    page.get_by_label("Technician's last name").fill(last_name)
    page.get_by_role("button", name="Verify").click()
    return page.locator("section[aria-labelledby=answer-name]")


def share_links_open(phone: Any) -> None:
    """The technician's share links, reached from her dashboard."""
    phone.goto("/me/")
    phone.get_by_role("link", name="Share links").click()


def share_link_make(phone: Any, label: str) -> str:
    """A new share link labelled ``label``; returns its address as the page shows
    it (the newest link is listed first)."""
    share_links_open(phone)
    phone.get_by_label("Label").fill(label)
    phone.get_by_role("button", name="Create a share link").click()
    link = phone.locator("li.share-link a").first.get_attribute("href")
    assert link is not None
    return str(link)


def share_link_withdraw(phone: Any, label: str) -> None:
    """Revoke the link labelled ``label`` from the share links page; returns once
    the page confirms it."""
    share_links_open(phone)
    phone.get_by_role("button", name=f"Revoke {label}").click()
    phone.wait_for_selector("text=The link no longer works.")


def my_credentials_open(phone: Any) -> Any:
    """The technician's signed credentials, from the dashboard's link; returns
    their cards (one per certification in force and title held)."""
    phone.goto("/me/")
    phone.get_by_role(
        "link", name="Signed credentials (Open Badges) to download"
    ).click()
    phone.wait_for_url("**/credentials/mine/")
    return phone.locator("li.card")


def download(page: Any, link: Any, folder: Path) -> Path:
    """Click ``link`` on ``page``, wait for the download it starts, and save it in
    ``folder`` under the name the server suggested."""
    with page.expect_download() as info:
        link.click()
    saved = folder / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def finder_search(page: Any, query: str) -> None:
    """The shop finder, from the home page's link, searched for ``query``."""
    page.goto("/")
    page.get_by_role("link", name="Find a recognised repair shop").click()
    page.get_by_label("ZIP code or city").fill(query)
    page.get_by_role("button", name="Search").click()
