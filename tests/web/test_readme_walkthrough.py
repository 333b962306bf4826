"""README.md's "Calling the API" walkthrough, pasted as written, against ``caseledger serve`` on SQLite.

The shell blocks are read from README.md itself, so the walkthrough and this test cannot drift apart.
The only change made to them is the port: the test serves on a free one instead of 8000.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from tests.web.served import initialise, served

CHECKOUT = Path(__file__).parents[2]
SECTION = re.compile(r"^## Calling the API\n(.*?)^##", re.MULTILINE | re.DOTALL)
SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def walkthrough() -> list[str]:
    section = SECTION.search((CHECKOUT / "README.md").read_text())
    assert section is not None, 'README.md has no "## Calling the API" section'
    return SHELL_BLOCK.findall(section.group(1))


def json_values(text: str) -> list[Any]:
    """The JSON documents printed one after another (with anything else on lines of their own)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
        elif text[at] in "{[":
            value, at = decoder.raw_decode(text, at)
            values.append(value)
        else:
            at = text.index("\n", at)
    return values


def test_the_readme_walkthrough_works_as_written(tmp_path: Path) -> None:
    blocks = walkthrough()
    assert len(blocks) == 3, "users and tokens; filing; the lifecycle"
    url = f"sqlite:///{tmp_path / 'caseledger.sqlite3'}"
    initialise(url)
    with served(url, tmp_path) as port:
        script = "\n".join(blocks).replace("http://127.0.0.1:8000/", f"http://127.0.0.1:{port}/")
        run = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            check=False,
            cwd=CHECKOUT,
            env={**os.environ, "CASELEDGER_DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[:3] == [
        "added wang.clerk (clerk, 受理窗口)",
        "added zhao.sup (supervisor, 依法行政工作监督小组)",
        "added li.handler (handler, 城管执法中队)",
    ]
    filed, *actions, case, history = json_values(run.stdout)
    assert re.fullmatch(r"TS-\d{4}-000001", filed["number"]) and filed["version"] == 1, filed
    assert [action.get("version") for action in actions] == [2, 3, 4, 5, 6, 7, 8], actions
    assert (case["id"], case["status"]["code"], case["version"]) == (filed["id"], "closed", 8)
    assert [entry["type"] for entry in history] == [
        "Registered",
        "Accepted",
        "Dispatched",
        "Investigated",
        "Disposed",
        "Replied",
        "Visited",
        "Closed",
    ]
