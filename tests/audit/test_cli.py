"""``caseledger audit keygen|checkpoint|verify|verify-bundle`` end to end, with their exit statuses."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from uuid import UUID

from click.testing import CliRunner, Result

from application.ledger import CaseLedger
from audit.verify import Outcome
from tests.audit.conftest import Rows, chained, file_complaints
from tests.support import CLERK, DISCIPLINE
from web.audit_cli import audit


def _run(store_url: str, *args: str) -> Result:
    return CliRunner().invoke(audit, list(args), env={"CASELEDGER_DATABASE_URL": store_url})


def test_keygen_checkpoint_verify_and_tamper(audited: CaseLedger, store_url: str, tmp_path: Path) -> None:
    key, out = tmp_path / "committee.key", tmp_path / "checkpoints"
    assert _run(store_url, "keygen", "--out", str(key)).exit_code == 0
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert _run(store_url, "keygen", "--out", str(key)).exit_code == 1, "never overwrites a key"
    public = f"{key}.pub"

    file_complaints(audited, 5)
    signed = _run(store_url, "checkpoint", "--key", str(key), "--out", str(out))
    assert signed.exit_code == 0, signed.output
    (held,) = out.glob("checkpoint-*.json")
    assert json.loads(held.read_text())["log_size"] == 5

    file_complaints(audited, 2, prefix="more")
    ok = _run(store_url, "verify", "--checkpoint", str(held), "--public-key", public)
    assert ok.exit_code == 0 and ok.output.startswith("OK: 7 events") and "1 checkpoint(s) matched" in ok.output

    forged = tmp_path / "forged.json"
    forged.write_text(held.read_text().replace('"log_size": 5', '"log_size": 4'))
    result = _run(store_url, "verify", "--checkpoint", str(forged), "--public-key", public)
    assert result.exit_code == Outcome.FORGED.exit_status and result.output.startswith("FORGED")

    bundle = tmp_path / "bundle.json"
    originator = audited.recorder.select_notifications(1, 1)[0].originator_id
    assert isinstance(originator, UUID)
    bundle.write_text(json.dumps(audited.export_case_evidence(DISCIPLINE, originator)))
    checked = _run(store_url, "verify-bundle", str(bundle), "--public-key", public)
    assert checked.exit_code == 0 and "1 lead to the signed checkpoint" in checked.output, checked.output

    Rows(store_url, chained(audited)).run("UPDATE {events} SET topic = %s WHERE {id} = %s", ("x:y", 3))
    result = _run(store_url, "verify", "--checkpoint", str(held), "--public-key", public)
    assert result.exit_code == Outcome.EDITED.exit_status and result.output.startswith("EDITED at 3:")
    refused = _run(store_url, "checkpoint", "--key", str(key), "--out", str(out))
    assert refused.exit_code == Outcome.EDITED.exit_status and len(list(out.glob("*.json"))) == 1


def test_identities_erase_from_the_command_line(audited: CaseLedger, store_url: str) -> None:
    from application.sealing import ERASED
    from web.audit_cli import identities

    (filed,) = file_complaints(audited, 1)
    person = audited.view_case(CLERK, filed.id)["parties"][0]["party_id"]
    env = {"CASELEDGER_DATABASE_URL": store_url}
    result = CliRunner().invoke(identities, ["erase", person, "--reason", "依法删除"], env=env)
    assert result.exit_code == 0 and result.output == f"erased {person}\n", result.output
    assert audited.view_case(CLERK, filed.id)["parties"][0]["name"] == ERASED
    again = CliRunner().invoke(identities, ["erase", "nobody", "--reason", "x"], env=env)
    assert again.exit_code == 1 and "not found" in again.output
