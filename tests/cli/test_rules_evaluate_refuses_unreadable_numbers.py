"""`rules evaluate` refuses a number too long to read with status 2.

Python will not read an integer of more than 4300 digits; json.loads raised a bare
ValueError that escaped as a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def test_a_5000_digit_number_exits_2(tmp_path: Path) -> None:
    """A 5000-digit number anywhere in the file: status 2, a plain message."""
    # given
    path = tmp_path / "facts.json"
    path.write_text('{"technician": ' + "7" * 5000 + "}", encoding="utf-8")
    # when
    with pytest.raises(CommandError) as error:
        call_command("rules", "evaluate", str(path))
    # then
    assert error.value.returncode == 2
    assert str(error.value) == (f"{path}: not valid JSON: a number is too long to read")
