"""The console e-mail backend of `make run`, without attachment bodies.

Django's console backend prints every attachment base64-encoded: an invoice PDF is
hundreds of lines a newcomer must scroll past to find the link they are looking
for. This one prints each attachment as one line (its name, type and size) and
everything else as Django does.
"""

from __future__ import annotations

from typing import Any

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class EmailBackend(DjangoConsoleBackend):
    def write_message(self, message: Any) -> None:
        msg = message.message()
        for part in msg.walk():
            if part.get_content_disposition() != "attachment":
                continue
            size = len(part.get_payload(decode=True) or b"")
            name = part.get_filename() or "attachment"
            del part["Content-Transfer-Encoding"]
            part["Content-Transfer-Encoding"] = "7bit"
            part.set_payload(
                f"[{name}: {part.get_content_type()}, {size:,} bytes, not printed]\n"
            )
        text = msg.as_bytes().decode("utf-8", errors="replace")
        self.stream.write(f"{text}\n")
        self.stream.write("-" * 79)
        self.stream.write("\n")
