"""Browser journeys: Playwright (sync API) driving Debian's chromium against pytest-django's
live_server.

- The browser is the system one (/usr/bin/chromium, or $CHROMIUM_PATH); Playwright never
  downloads one. A journey fails when it is missing: `make test` installs it first
  (scripts/system-packages.sh), and `make test PYTEST_ARGS="-m 'not browser'"` leaves them out.
- Every journey fails on a console error, a failed request or an HTTP status >= 400 of the
  site's own pages (requests to the live server); a journey that expects one (e.g. a 400 for a
  bad upload) lists it with `watch.allow(...)`.
- Screenshots go to test-artifacts/screenshots/<test name>/ (git-ignored).
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests import factories as f

# Playwright's sync API runs an asyncio loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told it is fine (the test code is not async).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]


def pytest_collection_modifyitems(items):
    # Every journey is a browser test (pytest -m "not browser" leaves them out).
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Never fetch browsers: the system chromium is the one we drive.
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watch:
    """Collects console errors, failed requests and >= 400 responses of the site's pages."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.problems = []
        self.accessibility = []
        self.allowed = []  # (regex on path, status)

    def allow(self, path_regex, status):
        self.allowed.append((re.compile(path_regex), status))

    def _own(self, url):
        return url.startswith(self.base_url)

    def _is_allowed(self, url, status):
        path = url[len(self.base_url):]
        return any(rx.search(path) and status == st for rx, st in self.allowed)

    def on_console(self, msg, page=None):
        if msg.type == "error":
            # A >= 400 response is reported as a console error as well; the response handler
            # decides about it (it may be allowed).
            if "Failed to load resource" in msg.text:
                return
            where = page.url if page is not None else msg.location.get("url", "")
            text = msg.text
            if text.startswith("axe.run results"):
                # Wagtail's userbar (shown to users with admin access) runs the axe accessibility
                # checker and logs its findings with console.error. They are findings about the
                # markup, not errors of the page: collected in test-artifacts/accessibility.txt.
                try:
                    found = msg.args[1].evaluate(
                        "r => r.violations.map(v => v.id + ' (' + v.nodes.length + '): ' + v.help).join('; ')"
                    )
                except Exception as exc:  # noqa: BLE001 - keep what we have
                    found = f"{text} ({exc})"
                self.accessibility.append(f"{where}: {found}")
                return
            self.problems.append(f"console error: {text} (on {where})")

    def on_pageerror(self, exc):
        self.problems.append(f"page error: {exc}")

    def on_requestfailed(self, request):
        if not self._own(request.url):
            return
        failure = request.failure or ""
        # Chromium reports a request it cancelled itself as ERR_ABORTED: a navigation that
        # turned into a download, or an image still loading when the user clicked on. Not a
        # failure of the site (an error status is caught by on_response).
        if "net::ERR_ABORTED" in failure:
            return
        self.problems.append(f"request failed: {request.method} {request.url} {failure}")

    def on_response(self, response):
        if self._own(response.url) and response.status >= 400:
            if not self._is_allowed(response.url, response.status):
                self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture
def site(live_server, settings):
    """The live server's base URL; QR codes and links built from settings point at it."""
    settings.CERT_PUBLIC_BASE_URL = live_server.url
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["*"]
    return live_server.url


@pytest.fixture
def watch(site):
    return Watch(site)


@pytest.fixture
def shots(request):
    """shots(page, "name") saves a numbered full-page screenshot for this test."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(page, name):
        counter["n"] += 1
        page.screenshot(path=str(folder / f"{counter['n']:02d}-{name}.png"), full_page=True)

    take.folder = folder
    return take


def _new_context(browser, watch, shots, **kwargs):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True, **kwargs)
    context.set_default_timeout(30_000)
    context.on("requestfailed", watch.on_requestfailed)
    context.on("response", watch.on_response)

    def on_page(p):
        p.on("console", lambda msg: watch.on_console(msg, p))
        p.on("pageerror", watch.on_pageerror)

    context.on("page", on_page)
    return context


@pytest.fixture
def new_context(browser, watch, shots, request):
    """new_context(**kwargs) -> a fresh browser context (own cookies) watched for errors."""
    contexts = []

    def make(**kwargs):
        c = _new_context(browser, watch, shots, **kwargs)
        contexts.append(c)
        return c

    yield make
    failed = request.node.stash.get(_FAILED, False)
    for c in contexts:
        if failed:
            for i, p in enumerate(c.pages):
                try:
                    p.screenshot(path=str(shots.folder / f"zz-failure-{i}.png"), full_page=True)
                except Exception:  # noqa: BLE001 - best effort on a broken page
                    pass
        c.close()
    if watch.accessibility:
        SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
        with open(SCREENSHOTS.parent / "accessibility.txt", "a", encoding="utf-8") as out:
            out.write(f"# {request.node.nodeid}\n" + "\n".join(watch.accessibility) + "\n")
    # Checked after the journey so one report lists every problem.
    assert not watch.problems, "site errors during the journey:\n" + "\n".join(watch.problems)


@pytest.fixture
def page(new_context):
    return new_context().new_page()


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


def login_cookie(context, user, base_url):
    """Log `user` in for this browser context without the login form (journeys whose subject is
    not the login itself): a session made by Django's test client, handed over as a cookie."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    f.log_in(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])
