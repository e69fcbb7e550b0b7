"""Browser tests: Playwright (pytest-playwright) drives Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is the system's /usr/bin/chromium (`make test` installs the Debian
package when missing). Tests that touch Wagtail pages need
`@pytest.mark.django_db(transaction=True, serialized_rollback=True)`, or the flush after a transactional test
deletes Wagtail's root page. A failing test leaves a screenshot in tests/e2e/artifacts/ (gitignored).
"""

import os
import re
from pathlib import Path

import pytest

# The live server runs in a thread of this process while Playwright's sync API keeps an event loop open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).parent
ARTIFACTS = E2E_DIR / "artifacts"


@pytest.fixture
def base_url_localhost(live_server) -> str:
    """The live server's URL with the host name `localhost`: WebAuthn refuses IP addresses."""
    return live_server.url.replace("127.0.0.1", "localhost")


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot():
    """`screenshot(page, name)` saves a full-page PNG under tests/e2e/artifacts/ for a person to look at."""
    return save_screenshot


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items: mark only the ones in this folder.
    for item in items:
        if Path(str(item.path)).is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if page is None or page.is_closed():
        return
    try:
        path = save_screenshot(page, f"FAILED-{item.name}")
    except Exception as error:  # noqa: BLE001  a broken page must not hide the test's own failure
        report.sections.append(("screenshot", f"could not save a screenshot: {error}"))
    else:
        report.sections.append(("screenshot", f"saved {path.relative_to(E2E_DIR.parent.parent)}"))
