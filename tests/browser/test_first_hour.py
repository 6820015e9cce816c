"""A newcomer's first hour, as the README tells it (issue 8): `make run` on a fresh
database, on a port of their choosing, then the site in chromium.

`make run` runs for real: the Makefile's own recipe (migrate, program, demo data,
the admin account, runserver), with the console e-mail backend printing every
e-mail to the output this test reads. Only the setup of `.venv` is skipped: the
test hands `make` a virtualenv directory whose `python` and `certwright` are the
ones running this test, already installed, and a data directory of its own.

- The front door answers and leads to sign-in.
- Registration: the confirmation link is read from what the server printed, and
  following it signs the newcomer in.
- Links in the demo's e-mails point at the port `make run` was given.
- The admin signs in exactly as the README prints it, and so does the demo
  candidate.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import page_factory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# As the README writes the demo's address; `make run PORT=...` moves it.
README_SITE = "http://127.0.0.1:8000"
STARTUP_SECONDS = 420


class MakeRun:
    """`make run` in the background, its output (stdout and stderr) kept."""

    def __init__(self, port: int, data_dir: Path, venv: Path) -> None:
        self.port = port
        self.site = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        env = {
            key: value
            for key, value in os.environ.items()
            # What a newcomer's shell has: none of the test suite's settings.
            if not key.startswith(("CERTWRIGHT_", "DJANGO_", "DATABASE_URL"))
        }
        env.update(
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
            # Its own database, not the checkout's certwright.sqlite3.
            CERTWRIGHT_DATA_DIR=str(data_dir),
        )
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"VENV={venv}", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, to stop it whole
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"make run stopped ({self.process.returncode}):\n{self.output}"
                )
            try:
                with urllib.request.urlopen(f"{self.site}/api/health", timeout=5):
                    return
            except OSError:
                time.sleep(1)
        pytest.fail(f"make run did not serve in {STARTUP_SECONDS}s:\n{self.output}")

    def wait_for(self, pattern: str, *, after: int = 0, seconds: float = 30) -> str:
        """The first match of ``pattern`` in the output from character ``after``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output[after:])
            if found:
                return found.group(0)
            time.sleep(0.2)
        pytest.fail(f"{pattern!r} never printed:\n{self.output[after:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    assert port != 8000
    return port


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeRun]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = tmp_path_factory.mktemp("first-hour")
    # A virtualenv `make` takes as set up: this interpreter and its `certwright`.
    venv = root / "venv"
    (venv / "bin").mkdir(parents=True)
    bin_dir = Path(sys.executable).parent
    for name in ("python", "certwright"):
        (venv / "bin" / name).symlink_to(bin_dir / name)
    stamp = venv / ".certwright-installed"
    stamp.touch()
    newer = (ROOT / "pyproject.toml").stat().st_mtime + 1
    os.utime(stamp, (newer, newer))
    run = MakeRun(_free_port(), root / "data", venv)
    (root / "data").mkdir()
    try:
        run.wait_until_serving()
        yield run
    finally:
        run.stop()


@pytest.fixture
def new_browser(browser: Any, make_run: MakeRun) -> Iterator[Any]:
    with page_factory(browser, make_run.site, timeout_ms=20_000) as open_one:
        yield open_one


def _readme_sign_in(who: str) -> tuple[str, str, str]:
    """(address, login, password) of the README's "**Admin:**" or "**Candidate
    portal:**" line."""
    text = README.read_text(encoding="utf-8")
    found = re.search(
        rf"\*\*{who}:\*\* <([^>]+)>,?\s+(?:as\s+|user\s+|e-mail\s+)?`([^`]+)`"
        r".*?password\s+`([^`]+)`",
        text,
        re.S,
    )
    assert found, f"the README has no {who} sign-in line"
    address, login, password = found.groups()
    return address, login, password


def test_the_front_door_leads_to_sign_in(make_run, new_browser):
    """`/` answers and links to the sign-in page."""
    page = new_browser()
    answer = page.goto("/")
    assert answer is not None
    assert answer.status == 200
    assert page.locator("a[href*='/accounts/login/']").count() >= 1


def test_registration_is_confirmed_by_the_link_the_server_prints(make_run, new_browser):
    """A newcomer registers; the confirmation e-mail prints in the terminal with a
    link on the port `make run` serves; following it signs them in."""
    page = new_browser()
    # given the registration form
    page.goto("/accounts/signup/")
    printed_before = len(make_run.output)
    # when the newcomer registers
    page.locator("input[name=name]").fill("Nadia Newcomer")
    page.locator("input[name=email]").fill("nadia@example.com")
    page.locator("input[name=password1]").fill("Fresh-clone-first-hour-8")
    page.locator("input[name=password2]").fill("Fresh-clone-first-hour-8")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/accounts/confirm-email/")
    # then the e-mail prints, to them, with a link to this server
    make_run.wait_for(r"To: nadia@example\.com", after=printed_before)
    link = make_run.wait_for(
        r"https?://\S+/accounts/confirm-email/[^\s\"<]+", after=printed_before
    )
    assert link.startswith(f"{make_run.site}/"), link
    # when they follow it and confirm
    page.goto(link)
    page.locator("main form button[type=submit]").first.click()
    # then they are signed in, on their dashboard
    page.wait_for_url("**/me/")


def test_e_mail_links_point_at_the_port_make_run_serves(make_run):
    """The demo's booking confirmations (printed while `make run` loads the demo)
    go to candidate@example.com and link to `make run`'s port, never to 8000."""
    output = make_run.output
    assert "To: candidate@example.com" in output
    assert f"{make_run.site}/booking/" in output
    links = re.findall(r"https?://(?:127\.0\.0\.1|localhost)(?::\d+)?/", output)
    assert links
    assert set(links) == {f"{make_run.site}/"}, set(links)


def test_the_admin_signs_in_as_the_readme_prints(make_run, new_browser):
    """The README's admin address, sign-in and password, as printed (on the port
    `make run` was given), open the admin; `make run` prints the same."""
    address, login, password = _readme_sign_in("Admin")
    # then `make run` printed the same sign-in
    printed = make_run.wait_for(r"Admin: .*")
    assert login in printed.split(), printed
    assert password in printed.split(), printed
    page = new_browser()
    # when the newcomer opens the admin and signs in with what the README says
    page.goto(address.replace(README_SITE, make_run.site))
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # then the admin opens
    page.wait_for_url(f"{make_run.site}/admin/")
    assert page.get_by_role("heading", name="Site administration").is_visible()


def test_the_demo_candidate_signs_in_as_the_readme_prints(make_run, new_browser):
    """The README's candidate sign-in opens her dashboard."""
    address, login, password = _readme_sign_in("Candidate portal")
    page = new_browser()
    page.goto(address.replace(README_SITE, make_run.site))
    page.get_by_label("Email").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{make_run.site}/me/")
