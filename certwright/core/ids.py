"""Limits on ids taken from URLs and request bodies."""

from __future__ import annotations

# The largest id a 64-bit primary key holds; a bigger number is "not found" rather
# than an overflow error from the database driver.
MAX_ID = 2**63 - 1
