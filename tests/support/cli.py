"""The project's command, as the installed console script beside this Python."""

from __future__ import annotations

import sys
from pathlib import Path

CERTWRIGHT = Path(sys.executable).with_name("certwright")
