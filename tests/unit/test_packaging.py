"""The wheel carries every package of the product, subpackages included."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("domain", "application", "web", "projections", "storage", "audit", "bootstrap", "demo")


def test_every_package_on_disk_is_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = set(find_packages(where=str(ROOT), include=include))
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in PRODUCT
        for init in (ROOT / top).rglob("__init__.py")
        if ".venv" not in init.parts
    }
    assert "domain.registers" in on_disk and "web.blueprints" in on_disk
    assert on_disk <= packaged
    assert not {name for name in packaged if name.split(".")[0] not in PRODUCT}
