"""Signing a browser page in as a user without the sign-in form (the form has its
own tests): the test client logs in and the page takes its session cookie."""

from __future__ import annotations

from typing import Any

from django.test import Client


def sign_in(page: Any, user: Any, base_url: str) -> None:
    """Give ``page``'s browser context a session of ``user`` on ``base_url``."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": base_url,
            }
        ]
    )
