"""``caseledger office|units|places|categories|registers``: setting up an office's registers from the shell.

Each command acts as the administrator who runs it (:func:`web.cli_ledger.operator`). An import reads a
CSV file (UTF-8, with or without a byte-order mark; a header line naming its columns) and registers every
row in one transaction, or, if any row is refused, none: the refusal names the line and the column.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from application.register_adoption import adopt_logged_values
from application.registers import RowRefused
from domain.errors import InvalidValue
from domain.kinds import CaseKind
from domain.registers.entry import RegisterEntry
from domain.registers.places import Place
from domain.registers.refs import DEFAULT_OFFICE, Register
from domain.registers.units import Unit
from domain.time import SHANGHAI
from web.cli_ledger import command_ledger, operator
from web.cli_tables import minute, table

UNIT_COLUMNS = ("code", "name", "kind", "parent", "active_from")
PLACE_COLUMNS = (*UNIT_COLUMNS, "grid_level")
CATEGORY_COLUMNS = ("code", "name", "parent", "active_from")
REQUIRED = frozenset({"code", "name", "kind"})
OFFICE_OPTION = click.option(
    "--office", default=DEFAULT_OFFICE, show_default=True, help="The office whose register it is."
)


class CsvRefused(click.ClickException):
    """A line of an import file, and the column if one is to blame; nothing was registered."""

    def __init__(self, path: Path, line: int | None, column: str | None, message: str) -> None:
        where = "".join((f", line {line}" if line else "", f", column {column}" if column else ""))
        super().__init__(f"{path.name}{where}: {message}; nothing was registered")


def _moment(text: str) -> datetime:
    """A date (its midnight) or a date-time, in China time unless it has an offset."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)


def read_rows(path: Path, columns: Sequence[str]) -> tuple[list[dict[str, Any]], list[int]]:
    """The rows of an import file as registration arguments (empty cells left out), and each row's line."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        header = reader.fieldnames or []
        unknown = [c for c in header if c not in columns]
        if unknown:
            raise CsvRefused(path, 1, unknown[0], f"unknown column; the columns are {', '.join(columns)}")
        missing = sorted((REQUIRED & set(columns)) - set(header) | ({"code", "name"} - set(header)))
        if missing:
            raise CsvRefused(path, 1, missing[0], "missing column")
        rows, lines = [], []
        for row in reader:
            if None in row:
                raise CsvRefused(path, reader.line_num, None, f"more cells than the {len(header)} columns")
            arguments: dict[str, Any] = {}
            for column, cell in row.items():
                value = (cell or "").strip()
                if value and column == "active_from":
                    try:
                        arguments[column] = _moment(value)
                    except ValueError:
                        raise CsvRefused(path, reader.line_num, column, f"not a date or date-time: {value!r}") from None
                elif value:
                    arguments[column] = value
            rows.append(arguments)
            lines.append(reader.line_num)
    return rows, lines


def _import(path: Path, office: str, register: Register, columns: Sequence[str], reason: str | None) -> None:
    rows, lines = read_rows(path, columns)
    said = reason or f"导入 {path.name}"
    with command_ledger() as ledger:
        try:
            imported = ledger.import_register(operator(), office, register, [r | {"reason": said} for r in rows])
        except RowRefused as refused:
            error = refused.error
            column = error.field if isinstance(error, InvalidValue) and error.field in columns else None
            message = error.message if isinstance(error, InvalidValue) and column else str(error)
            raise CsvRefused(path, lines[refused.row], column, message) from None
    what = register.en.lower()
    click.echo(f"registered {len(imported.registered)} {what} entries, {len(imported.already)} already registered")
    for ref in imported.registered:
        click.echo(f"  + {ref.code}")


@click.group()
def office() -> None:
    """Register the offices (街道 / 乡镇) one deployment serves."""


@office.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--reason", default="设立", show_default=True, help="Why it is registered (recorded).")
@click.option("--active-from", default=None, help="In force from this date or date-time (default: now).")
def office_add(code: str, name: str, reason: str, active_from: str | None) -> None:
    """Register the office CODE named NAME."""
    since = None if active_from is None else _click_moment(active_from)
    with command_ledger() as ledger:
        result = ledger.register_office(operator(), code, name, reason, active_from=since)
    click.echo(f"{'already registered' if result.retried else 'registered'} office {code} ({name})")


def _click_moment(text: str) -> datetime:
    try:
        return _moment(text)
    except ValueError:
        raise click.BadParameter(f"not a date or date-time: {text!r}", param_hint="--active-from") from None


FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
REASON = click.option("--reason", default=None, help="Why they are registered (default: 导入 FILE).")


@click.group()
def units() -> None:
    """The units of an office (科室, 社区/村, 执法中队, …)."""


@units.command("import")
@FILE
@OFFICE_OPTION
@REASON
def units_import(file: Path, office: str, reason: str | None) -> None:
    """Register the units of FILE.csv, columns code,name,kind,parent,active_from (parent and active_from may be
    empty; a parent is a unit already registered or on an earlier line)."""
    _import(file, office, Register.UNIT, UNIT_COLUMNS, reason)


@click.group()
def places() -> None:
    """The villages, communities and grid cells of an office."""


@places.command("import")
@FILE
@OFFICE_OPTION
@REASON
def places_import(file: Path, office: str, reason: str | None) -> None:
    """Register the places of FILE.csv, columns code,name,kind,parent,active_from and, for a grid cell,
    grid_level (street, area or district)."""
    _import(file, office, Register.PLACE, PLACE_COLUMNS, reason)


@click.group()
def categories() -> None:
    """The categories of each kind of case."""


@categories.command("import")
@FILE
@click.option("--kind", required=True, type=click.Choice([k.code for k in CaseKind]), help="The kind of case.")
@OFFICE_OPTION
@REASON
def categories_import(file: Path, kind: str, office: str, reason: str | None) -> None:
    """Register the categories of FILE.csv, columns code,name,parent,active_from; their time limits are set
    through the API (POST …/<code>/limits)."""
    _import(file, office, Register.for_kind(CaseKind.parse(kind, "kind")), CATEGORY_COLUMNS, reason)


@click.group()
def registers() -> None:
    """Read the registers, and adopt the values an older log holds."""


@registers.command("list")
@click.argument("register", type=click.Choice([r.code for r in Register]))
@OFFICE_OPTION
def registers_list(register: str, office: str) -> None:
    """Every entry of REGISTER (office, unit, place, complaint_category, …): code, name, kind, parent, in force
    from and to (to the minute, China time), and what it was merged into."""
    chosen = Register.parse(register, "register")
    with command_ledger() as ledger:
        entries: Sequence[RegisterEntry] = (
            ledger.read_offices(operator())
            if chosen is Register.OFFICE
            else ledger.read_register(operator(), office, chosen)
        )
    table(
        ("code", "name", "kind", "parent", "from", "to", "merged into"),
        [
            (
                e.code,
                e.name,
                e.kind.code if isinstance(e, Unit | Place) else "-",
                e.parent or "-",
                minute(e.active_from),
                minute(e.active_to),
                e.merged_into or "-",
            )
            for e in entries
        ],
    )


@registers.command("adopt")
@OFFICE_OPTION
def registers_adopt(office: str) -> None:
    """Register the units, villages and categories the log's records name that are not registered yet.

    For a store filled before the registers: units cases were dispatched, assigned or filed to (and rulings'
    and clearings' units), the villages of cases' locations, and the categories of cases, each under the
    value the records hold as its code, in force since the first record that named it. Running it again
    registers nothing new. Prints what it did with each value."""
    with command_ledger() as ledger:
        done = adopt_logged_values(ledger, operator(), office)
    for adoption in done:
        click.echo(f"{adoption.register.code}\t{adoption.code}\t{adoption.outcome}")
    click.echo(f"registered {sum(a.registered for a in done)} of {len(done)} values the log names")


COMMANDS = (office, units, places, categories, registers)
