"""Take the screenshots in docs/img/ from a running demo (`make run`).

    make run PORT=8123 &            # a demo server, with its demo data
    .venv/bin/python tools/screenshots.py http://127.0.0.1:8123

Signs in as each demo role (password certwright-demo) in Debian's chromium and
saves its landing page, plus the front door and the candidate's dashboard, at a
desktop width and at a phone's. Playwright never downloads a browser here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "certwright-demo"
ROLES = {
    "candidate": "candidate@example.com",
    "employer": "employer@example.com",
    "proctor": "proctor@example.com",
    "staff": "staff@example.com",
}
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(f"{base}/")
            page.screenshot(path=OUT / f"front-door-{size}.png", full_page=True)
            context.close()
            for role, email in ROLES.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}
                )
                page = context.new_page()
                sign_in(page, base, email)
                page.screenshot(path=OUT / f"{role}-landing-{size}.png", full_page=True)
                context.close()
        browser.close()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(OUT.parent.parent))


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
