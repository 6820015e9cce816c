"""The `certwright` command itself: Django's commands under the project's name."""

from __future__ import annotations


def test_a_bad_setting_is_one_clear_line_not_a_traceback(certwright_cli):
    """A bad environment variable stops the command with a message naming it."""
    # when
    result = certwright_cli("check", env={"CERTWRIGHT_TASKS": "celery"})
    # then
    assert result.returncode == 1
    assert result.stderr.startswith(
        "certwright: configuration error: CERTWRIGHT_TASKS='celery' is not valid"
    )
    assert "Traceback" not in result.stderr


def test_djangos_own_commands_run_under_the_project_name(certwright_cli):
    """`certwright check` is Django's check, with the program check included."""
    result = certwright_cli("check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_usage_text_names_certwright(certwright_cli):
    """Usage text names the `certwright` command, not manage.py."""
    result = certwright_cli("program", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: certwright program")
