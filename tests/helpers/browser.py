"""A real browser for the web edition's tests: Debian's Chromium, driven by Playwright.

Playwright's Python package is pointed at /usr/bin/chromium (no browser download), started with
the flags that keep Chromium from reaching out by itself (updates, sync, safe browsing...), so
that every request it makes is the page's own.
"""

from __future__ import annotations

import ctypes.util
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
         "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider",
         "--metrics-recording-only", "--no-pings", "--safebrowsing-disable-auto-update"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if CHROMIUM is None:
        return "chromium is not installed (apt-get install chromium; `sh scripts/system-check.sh test` does it)"
    if ctypes.util.find_library("atomic") is None:  # Playwright's Node.js driver is linked against it
        return "libatomic is not installed (apt-get install libatomic1; `sh scripts/system-check.sh test` does it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install 'briefing[test]')"
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        return "the Python package axe-playwright-python is not installed (pip install 'briefing[test]')"
    return None


def require() -> None:
    """Skip the running test when the browser cannot run here; under CI=true, fail it (as tools.missing does)."""
    reason = missing()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true runs every check, and {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def served(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """`folder` served over HTTP on loopback: its address, and the list of paths requested from it."""
    requested: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            requested.append(self.path)
            super().do_GET()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def open_page(browser: Any, url: str, *, width: int = 1280, height: int = 900, dark: bool = False
              ) -> tuple[Any, Any, list[str]]:
    """A new context and page showing `url`; the list of every request the page made other than `url`
    itself (each answered by nothing: aborted)."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme="dark" if dark else "light", service_workers="block")
    others: list[str] = []

    def route(route: Any) -> None:
        if route.request.url.split("#")[0] == url:
            route.continue_()
        else:
            others.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda request: None if request.url.split("#")[0] == url or request.url.startswith("data:")
            or request.url in others else others.append(request.url))
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return context, page, others


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.2 A and AA on the page, as axe reports them."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return results.response["violations"]


def summary(violations: list[dict[str, Any]]) -> str:
    return "; ".join(f"{item['id']} ({item['impact']}): {item['help']} at "
                     f"{[node['target'] for node in item['nodes'][:3]]} — "
                     f"{item['nodes'][0].get('failureSummary', '')[:300]}" for item in violations)
