"""The theme keeps its own catalogue (theme/locale): extracting its messages again leaves nothing untranslated
or fuzzy in zh_Hans, and English (the source language) has no fuzzy entries."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def entries(po_file: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) per entry, continuation lines joined, the header left out."""
    result, current, field = [], None, None
    for line in po_file.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            if current and current["msgid"]:
                result.append((current["msgid"], current["msgstr"], current["fuzzy"]))
            current, field = None, None
            continue
        current = current or {"msgid": "", "msgstr": "", "fuzzy": False}
        if line.startswith("#,") and "fuzzy" in line:
            current["fuzzy"] = True
        elif line.startswith(("msgid ", "msgstr ")):
            field = line.split(" ", 1)[0]
            current[field] += line.split(" ", 1)[1][1:-1]
        elif line.startswith('"') and field:
            current[field] += line[1:-1]
    return result


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory):
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is not installed (make test installs it)")
    copy = tmp_path_factory.mktemp("theme") / "theme"
    shutil.copytree(ROOT / "theme", copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "zh_Hans", "-l", "en",
         "--no-obsolete", "-v", "0"],
        cwd=copy, check=True,
        env={"DJANGO_SETTINGS_MODULE": "portal.settings.dev", "PATH": "/usr/bin:/bin",
             "PORTAL_VAR_DIR": str(copy.parent / "var")},
    )  # fmt: skip
    return copy / "locale"


def test_theme_chinese_catalogue_is_complete(catalogues):
    found = entries(catalogues / "zh_Hans" / "LC_MESSAGES" / "django.po")

    assert len(found) > 100
    assert [msgid for msgid, msgstr, fuzzy in found if not msgstr or fuzzy] == []


def test_theme_english_catalogue_has_no_fuzzy_entries(catalogues):
    found = entries(catalogues / "en" / "LC_MESSAGES" / "django.po")

    assert [msgid for msgid, _, fuzzy in found if fuzzy] == []
