"""The README prints the permission table the code enforces."""

from __future__ import annotations

from pathlib import Path

from application.permissions import permission_table_markdown

README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN, END = "<!-- permissions:begin -->", "<!-- permissions:end -->"


def test_the_readme_shows_the_permission_table_in_force() -> None:
    text = README.read_text(encoding="utf-8")
    printed = text.split(BEGIN)[1].split(END)[0].strip()
    assert printed == permission_table_markdown(), "regenerate with application.permissions.permission_table_markdown()"
