"""Steps the browser tests share: submitting the form that holds a field, the no-sideways-scroll check, and
logging in through allauth's real pages (password, then a computed TOTP code when the person has one)."""

import re

from tests.factories import PASSWORD
from tests.totp import fresh_totp_code


def submit(page, field_name: str) -> None:
    """Click the submit button of the form that contains the named field (pages also hold other forms)."""
    page.locator(f"form:has([name={field_name}]) [type=submit]").first.click()


def fits(page) -> bool:
    """The page does not scroll sideways at the current viewport width."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def log_in(
    page, base: str, email: str, *, password: str = PASSWORD, totp_secret: str | None = None, next_path: str = ""
) -> None:
    """Log in on allauth's pages; with `totp_secret`, pass the second-factor step with a code computed now."""
    page.goto(f"{base}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    submit(page, "password")
    if totp_secret:
        page.wait_for_url(re.compile(r".*/accounts/2fa/authenticate/"))
        page.fill("input[name=code]", fresh_totp_code(totp_secret))
        submit(page, "code")
