"""The domain imports only the standard library and eventsourcing.domain."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_domain_imports_only_the_standard_library_and_eventsourcing_domain() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in DOMAIN.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] not in sys.stdlib_module_names
        and name != "eventsourcing.domain"
        and name.split(".")[0] != "domain"
    }
    assert not offenders
