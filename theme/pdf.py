"""PDFs from templates with WeasyPrint (DESIGN.md §8). Templates extend "theme/pdf/base.html": A4, the group's
header, a CJK font so Chinese never prints as empty boxes (fonts-wqy-microhei or fonts-noto-cjk), and
libharfbuzz-subset0 so font subsetting stays fast. https://doc.courtbouillon.org/weasyprint/stable/
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

# WeasyPrint reports every layout step at INFO; keep the logs for what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_pdf(template_name: str, context: dict[str, Any], *, language: str | None = None) -> bytes:
    """The PDF of a template rendered in `language` (default: the active one). Never fetches anything remote:
    every resource is inline or a local file."""
    from weasyprint import HTML  # imported late: loading pango is slow and only PDF code needs it

    with translation.override(language or translation.get_language()):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args: Any, **kwargs: Any):
    raise ValueError(f"PDF templates must not load resources: {url}")
