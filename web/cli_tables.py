"""How the ``caseledger`` commands print: moments to the minute in China time, and rows in columns."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import click

from domain.time import SHANGHAI


def minute(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Rows under their headers, in columns as wide as their widest cell (CJK characters count twice)."""
    widths = [max(_width(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        click.echo(
            "  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
