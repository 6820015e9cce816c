"""A real SMTP server on loopback (aiosmtpd) for tests that send e-mail.

``smtp_server()`` starts one on a free port, points Django's SMTP backend at it and
yields the handler, whose ``messages`` are the raw messages it accepted. With
``refuse="451 ..."`` it answers every recipient with that reply instead.
``smtp_listener()`` is the same server without the settings, for processes of
their own (task workers) that are told its port; ``delay`` makes it take that
long over each message, as a real relay does.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller
from django.test import override_settings


class Handler:
    def __init__(self, refuse: str | None = None, delay: float = 0.0) -> None:
        self.refuse = refuse
        self.delay = delay
        self.messages: list[bytes] = []
        self.envelopes: list[Any] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(envelope.original_content or envelope.content)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_listener(handler: Handler) -> Iterator[int]:
    """A server on a free loopback port, handled by ``handler``; yields the port."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@contextmanager
def smtp_server(*, refuse: str | None = None) -> Iterator[Handler]:
    handler = Handler(refuse)
    with (
        smtp_listener(handler) as port,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=5,
        ),
    ):
        yield handler
