"""The arrows of DESIGN.md §3 point one way: selfservice → catalog → portal and rfq → catalog → portal. The core
never imports a domain app (portal/urls.py and the settings name them as strings), the catalog imports neither
side, and the two sides never import each other."""

import ast
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "portal": {"catalog", "rfq", "selfservice"},
    "catalog": {"rfq", "selfservice"},
    "rfq": {"selfservice"},
    "selfservice": {"rfq"},
}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_follow_the_arrows(package):
    wrong = []
    for path in sorted((BASE_DIR / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for module in imported_modules(path):
            if module.split(".")[0] in FORBIDDEN[package]:
                wrong.append(f"{path.relative_to(BASE_DIR)} imports {module}")
    assert wrong == []
