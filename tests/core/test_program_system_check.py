"""The platform refuses to start on a program that does not load."""

from __future__ import annotations

from django.test import override_settings

from certwright.core.checks import check_program_loads


def test_a_program_that_does_not_load_is_a_system_check_error(tmp_path):
    """`certwright check` (and runserver, migrate) report the program's problems."""
    # given
    broken = tmp_path / "broken.toml"
    broken.write_text("[program]\nid = 'x'\n")
    # when
    with override_settings(CERTWRIGHT_PROGRAM=str(broken)):
        errors = check_program_loads()
    # then
    [error] = errors
    assert error.id == "certwright.E001"
    assert f"CERTWRIGHT_PROGRAM={str(broken)!r} does not load" in error.msg
    assert str(broken) in error.msg


def test_the_shipped_program_passes_the_check():
    """The default program loads, so the check is silent."""
    assert check_program_loads() == []
