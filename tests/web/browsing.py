"""Helpers for browser tests: Debian's Chromium driven by Playwright.

Chromium is Debian's (`/usr/bin/chromium`); `playwright install` cannot download
browsers here. Screenshots of key pages go to docs/screenshots/ when UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make around it are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Browser tests need Debian's Chromium; in CI (and under make test) it is installed, so
# there a missing browser fails the tests instead of skipping them.
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="Debian's chromium is not installed (make test installs it)"
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def sign_in(page, email: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def screenshot(page, name: str, *, full_page: bool = False) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


# The two screens every candidate journey is tested at.
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core's violations of WCAG 2.1 A/AA (and best practices) on the page as it is now,
    of the given impacts, each reduced to its rule, impact, help and offending selectors."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `cd frontend && npm ci` (scripts/test does)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def assert_accessible(page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    violations = axe_violations(page)
    assert not violations, "\n".join(f"{v['impact']}: {v['id']} ({v['help']}) at {v['targets']}" for v in violations)


def assert_fits_width(page) -> None:
    """Nothing makes the page scroll sideways: the layout fits the viewport's width."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px viewport"


def sweep(page, pages: dict[str, str], screen: str) -> None:
    """Opens each named page and checks it fits the screen and has no serious axe-core
    violation; a failure names the page, its URL and the screen."""
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        try:
            assert_fits_width(page)
            assert_accessible(page)
        except AssertionError as exc:
            raise AssertionError(f"{name} ({url}) at {screen}: {exc}") from None
