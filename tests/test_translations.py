"""zh-Hans and en are complete: extracting the messages from the code again leaves no entry untranslated or
fuzzy (so a new string without its translation fails here, not in front of a customer)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("portal", "catalog", "rfq", "selfservice", "theme", "manage.py")


def _entries(po_file: Path):
    """(msgid, msgstr, flags) per entry of a .po file, plurals joined; the header entry left out."""
    entries, current, field = [], None, None
    for raw in po_file.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current and current["msgid"]:
                entries.append(current)
            current, field = None, None
            continue
        if current is None:
            current = {"msgid": "", "msgstr": "", "flags": "", "obsolete": False}
        if line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#,"):
            current["flags"] += line[2:]
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgid_plural ")):
            field = "msgid"
            current[field] += line.split(" ", 1)[1].strip('"')
        elif line.startswith("msgstr"):
            field = "msgstr"
            current[field] += line.split(" ", 1)[1].strip('"')
        elif line.startswith('"') and field:
            current[field] += line.strip('"')
    return [entry for entry in entries if not entry["obsolete"]]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is not installed (make test installs it)")
    tree = tmp_path_factory.mktemp("messages")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
        else:
            shutil.copy(source, tree / name)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "-l",
            "en",
            "--no-obsolete",
            "-v",
            "0",
        ],
        cwd=tree,
        check=True,
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "PATH": "/usr/bin:/bin",
            "PORTAL_VAR_DIR": str(tree / "var"),
        },
    )
    return tree


# Each app with a locale/ folder keeps its own catalogue; strings of apps without one land in portal's.
CATALOGUES = ("portal/locale", "theme/locale")


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_chinese_catalogue_is_complete(extracted, catalogue):
    entries = _entries(extracted / catalogue / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 100
    untranslated = [entry["msgid"] for entry in entries if not entry["msgstr"]]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    assert (untranslated, fuzzy) == ([], [])


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_english_catalogue_has_no_fuzzy_entries(extracted, catalogue):
    # English is the source language: an empty msgstr shows the msgid; fuzzy entries would hide real ones.
    entries = _entries(extracted / catalogue / "en" / "LC_MESSAGES" / "django.po")
    assert [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]] == []


def test_no_other_app_keeps_a_catalogue_the_test_would_miss():
    assert sorted(str(path.parent.relative_to(ROOT)) for path in ROOT.glob("*/locale/zh_Hans")) == sorted(
        f"{catalogue}" for catalogue in CATALOGUES
    )
