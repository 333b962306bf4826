"""``caseledger audit …``, ``caseledger identities …`` and ``caseledger db grant-service-role``.

Exit status of ``audit verify``, ``audit checkpoint`` and ``audit verify-bundle``:
0 OK · 1 error (store unreachable, unreadable file) · 2 usage · 3 edited · 4 removed (an event, a bundle's
event, or a held checkpoint's row in the checkpoint table) · 5 reordered ·
6 inserted (an event without a link) · 7 truncated · 8 recomputed (the chain differs from a signed
checkpoint) · 9 forged (a checkpoint's signature is not the committee's key's, or it is unreadable).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from application.config import Settings
from audit.bundle import verify_bundle
from audit.checkpoint import CheckpointMalformed, read_checkpoint, sign_checkpoint, write_checkpoint
from audit.keys import KeyFileError, generate_key, key_id, load_private_key, load_public_key, public_pem
from audit.store import AuditStore
from audit.verify import Finding, Outcome, Report, verify_log
from bootstrap.maintenance import audit_store
from bootstrap.maintenance import grant_service_role as grant
from domain.actor import Role
from web.cli_ledger import click_errors, command_ledger, operator


@click.group()
def audit() -> None:
    """Tamper evidence: the hash chain over the log, signed checkpoints, evidence bundles."""


@audit.command("keygen")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Private key file.")
def keygen(out: Path) -> None:
    """Make the committee's Ed25519 signing key: OUT (mode 0600) and OUT.pub. Keep OUT off the server."""
    try:
        public = generate_key(out)
        key = load_public_key(public)
    except KeyFileError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"private key: {out}\npublic key:  {public}\nkey id:      {key_id(key)}")


@audit.command("checkpoint")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
def checkpoint(key_file: Path, out_dir: Path) -> None:
    """Verify the whole log, then sign its head and write the checkpoint into OUT_DIR.

    The log is checked against the checkpoints already in OUT_DIR first; nothing is signed unless it is OK.
    """
    try:
        private = load_private_key(key_file)
    except KeyFileError as error:
        raise click.ClickException(str(error)) from None
    try:
        held = [read_checkpoint(p) for p in sorted(out_dir.glob("checkpoint-*.json"))] if out_dir.is_dir() else []
    except CheckpointMalformed as error:
        _fail(Finding(Outcome.FORGED, None, str(error)))
    with _store() as store:
        report = verify_log(store, held, private.public_key())
        if report.finding is not None:
            _explain(report)
            sys.exit(report.outcome.exit_status)
        signed = sign_checkpoint(private, report.events, report.last_notification_id, report.head_hash)
        # Recorded before the file is written: every checkpoint held is then in the table, as verify requires.
        store.record_checkpoint(
            signed.to_json(), signed.last_notification_id, signed.log_size, public_pem(private.public_key())
        )
        path = write_checkpoint(signed, out_dir)
    click.echo(f"signed {signed.log_size} events up to {signed.last_notification_id}: {path}")


@audit.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint the committee holds (repeatable).",
)
@click.option("--public-key", "public_key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(checkpoint_files: tuple[Path, ...], public_key_file: Path | None) -> None:
    """Re-walk the whole log, recompute every link, and report OK or the first bad position."""
    try:
        held = [read_checkpoint(p) for p in checkpoint_files]
    except CheckpointMalformed as error:
        _fail(Finding(Outcome.FORGED, None, str(error)))
    key = None
    if public_key_file is not None:
        try:
            key = load_public_key(public_key_file)
        except KeyFileError as error:
            raise click.ClickException(str(error)) from None
    elif held:
        click.echo("warning: no --public-key: the checkpoints' signatures are NOT checked", err=True)
    with _store() as store:
        report = verify_log(store, held, key)
    _explain(report)
    sys.exit(report.outcome.exit_status)


@audit.command("verify-bundle")
@click.argument("bundle_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", "public_key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_bundle_command(bundle_file: Path, public_key_file: Path | None) -> None:
    """Check an evidence bundle offline: events against links, links along the path to the signed checkpoint."""
    try:
        key = None if public_key_file is None else load_public_key(public_key_file)
        bundle = json.loads(bundle_file.read_text(encoding="utf-8"))
    except (KeyFileError, OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    report = verify_bundle(bundle, key)
    if report.finding is not None:
        _fail(report.finding)
    click.echo(
        f"OK: {report.events} events match their links; {report.anchored} lead to the signed checkpoint"
        + ("" if bundle.get("checkpoint") else " (the bundle has no checkpoint)")
    )
    if report.key_id is not None and not report.key_pinned:
        click.echo(f"warning: checked with the bundle's own key {report.key_id}: compare it with the committee's")
    sys.exit(0)


def _explain(report: Report) -> None:
    if report.finding is not None:
        _say(report.finding)
        return
    matched = f", {report.checkpoints} checkpoint(s) matched" if report.checkpoints else ""
    click.echo(
        f"OK: {report.events} events up to {report.last_notification_id}, head {report.head_hash.hex()[:16]}…"
        f"{matched} ({report.seconds:.2f} s, {report.rate:,.0f} events/s)"
    )


def _say(finding: Finding) -> None:
    where = "" if finding.position is None else f" at {finding.position}"
    click.echo(f"{finding.outcome.name}{where}: {finding.detail}")


def _fail(finding: Finding) -> NoReturn:
    _say(finding)
    sys.exit(finding.outcome.exit_status)


@contextmanager
def _store() -> Iterator[AuditStore]:
    with click_errors(), audit_store(Settings.from_env().for_maintenance()) as store:
        yield store


@click.command("grant-service-role")
@click.argument("role")
def grant_service_role(role: str) -> None:
    """Grant ROLE what the service connects as needs (PostgreSQL; run as the tables' owner).

    ROLE must exist already, and be neither the owner nor a superuser.
    """
    with click_errors():
        statements = grant(Settings.from_env().for_maintenance(), role)
    for statement in statements:
        click.echo(f"{statement};")


@click.group()
def identities() -> None:
    """Confidential identities of complainants and whistleblowers."""


@identities.command("erase")
@click.argument("person_ids", nargs=-1, required=True)
@click.option("--reason", required=True, help="The legal ground for erasing (recorded in the log).")
def identities_erase(person_ids: tuple[str, ...], reason: str) -> None:
    """Destroy the identity keys of PERSON_IDS (a party's party_id): their identities read as erased
    everywhere, and the log and its chain stay as they were."""
    with command_ledger() as ledger:
        for person_id in person_ids:
            ledger.erase_identity(operator(Role.SECURITY_ADMIN), person_id, reason)
            click.echo(f"erased {person_id}")


@identities.command("purge")
def identities_purge() -> None:
    """Remove the bytes of erased identity keys from the store's files (SQLite: empty the write-ahead
    log; PostgreSQL: rewrite the keys' table). Each erasure does it; run this when one said it could not."""
    with command_ledger() as ledger:
        ledger.purge_erased_keys()
    click.echo("purged the erased identity keys from the store's files")
