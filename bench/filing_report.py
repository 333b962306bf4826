"""The filing benchmark's results as a table, with the ratio to the raw insert rate and PASS/MISS."""

from __future__ import annotations

from typing import Any

from bench.common import verdict
from bench.filing_http import CLIENTS
from bench.filing_raw import RAW_PAYLOAD_BYTES

TARGET_RATIO = 0.4
TARGET_P99_MS = 50.0


def report(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"filing benchmark ({results['plan']}), {m['date']}, {m['cpus']} CPUs, Python {m['python']}, "
        f"psycopg {m['psycopg']} ({m['psycopg_impl']}), {m['postgres'].split(' on ')[0]}",
        f"code: {results['code']['commit']}"
        + (
            f", with uncommitted changes to {', '.join(changed)}"
            if (changed := results["code"]["changed_outside_bench"])
            else ""
        ),
        "",
        f"raw psycopg single-row INSERT ({RAW_PAYLOAD_BYTES}-byte state), one transaction each",
        f"  {'':40} {'rows/s':>9} {'÷ raw':>6} {'p50 ms':>8} {'p99 ms':>8}",
    ]
    raw = results["raw"]
    for key, label in (
        ("1", "1 thread"),
        (str(CLIENTS), f"{CLIENTS} threads"),
        (f"{CLIENTS}_after", f"{CLIENTS} threads, after the HTTP runs"),
        ("1_lock+notify", "1 thread, + LOCK TABLE + NOTIFY"),
        (f"{CLIENTS}_lock+notify", f"{CLIENTS} threads, + LOCK TABLE + NOTIFY"),
        (f"{CLIENTS}_notify", f"{CLIENTS} threads, + NOTIFY only"),
    ):
        row = raw[key]
        lines.append(
            f"  {label:40} {row['per_s']:9.0f} {row['ratio_to_raw']:6.3f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f}"
        )
    lines += [
        f"  baseline = mean of the two {CLIENTS}-thread runs: {results['raw_baseline_per_s']:.0f} rows/s",
        "",
        f"POST /api/complaints, {CLIENTS} keep-alive clients (ms; targets: ratio ≥ {TARGET_RATIO}, p99 ≤ "
        f"{TARGET_P99_MS:.0f} ms)",
        f"  {'server':8} {'filed':>6} {'non-201':>7} {'per s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
        f" {'ratio':>6} {'ratio':>5} {'p99':>5} {'rollbk':>6}  cores: server/postgres/bench",
    ]
    for r in results["http"]:
        bad = sum(v for k, v in r["statuses"].items() if k != "201") + r["transport_errors"]
        cores = r["cores_used"]
        lines.append(
            f"  {str(r['workers']) + '×' + str(r['threads']):8} {r['filed']:6d} {bad:7d} {r['per_s']:7.1f}"
            f" {r['p50_ms']:7.1f} {r['p95_ms']:7.1f} {r['p99_ms']:7.1f} {r['max_ms']:7.0f} {r['ratio_to_raw']:6.3f}"
            f" {verdict(r['ratio_pass']):>5} {verdict(r['p99_pass']):>5} {r['db_rollbacks']:6d}"
            f"  {cores['server']:.2f}/{cores['postgres']:.2f}/{cores['bench']:.2f}"
        )
    for r in results["http"]:
        setting = f"{r['workers']}×{r['threads']}"
        if r["alone"]:
            a = r["alone"]
            lines.append(
                f"  {setting} one client alone: {a['per_s']:.1f} filings/s, p50 {a['p50_ms']:.1f} ms,"
                f" p99 {a['p99_ms']:.1f} ms"
            )
        log = r["server_log"]
        if log["tracebacks"] or log["worker_timeouts"] or log["error_lines"]:
            lines.append(
                f"  {setting} server log: {log['tracebacks']} tracebacks, {log['worker_timeouts']} worker timeouts,"
                f" e.g. {log['error_lines'][:2]}"
            )
        lines += [f"    {sample}" for sample in r["unexpected_samples"] + r["first_transport_errors"]]
    lines += ["", "where the time goes (in-process on the same database, no HTTP)"]
    lines.append(f"  {'':46} {'per s':>7} {'÷ raw':>6} {'p50 ms':>8} {'p99 ms':>8} {'commits':>8} {'conflicts':>9}")
    p = results["in_process"]
    for key, label in (
        ("authenticate", "authenticate (token + user)"),
        ("file_complaint_1", "file_complaint, 1 thread"),
        (f"file_complaint_{CLIENTS}", f"file_complaint, {CLIENTS} threads"),
        ("file_complaint_same_year", "file_complaint, {threads} threads, one year"),
        ("file_complaint_own_year", "file_complaint, {threads} threads, a year each"),
        ("save_trivial_1", "save(trivial aggregate), 1 thread"),
        (f"save_trivial_{CLIENTS}", f"save(trivial aggregate), {CLIENTS} threads"),
        (f"save_trivial_{CLIENTS}_no_pre_ping", f"  same, {CLIENTS} threads, no pool pre-ping"),
        (f"save_trivial_{CLIENTS}_db_function", f"  same, {CLIENTS} threads, library's insert function"),
    ):
        if key not in p:
            continue
        row = p[key]
        counts = f"{row['commits']:8d} {row['conflicts']:9d}" if "conflicts" in row else ""
        lines.append(
            f"  {label.format(threads=row['threads']):46} {row['per_s']:7.0f} {row['ratio_to_raw']:6.3f}"
            f" {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} {counts}"
        )
        if row["errors"]:
            lines.append(f"    {row['errors']} errors, e.g. {row['first_errors'][:1]}")
    single = p["file_complaint_1"]
    lines.append("  file_complaint, 1 thread, ms per filing (calls per filing):")
    lines += [
        f"    {k:34} {v:7.2f} ({single['calls_per_filing'][k]:.2f})"
        for k, v in single["breakdown_ms_per_filing"].items()
    ]
    before, after = results["load_average_before"], results["load_average_after"]
    lines.append(
        f"  total {results['total_seconds']:.0f} s; load average (1 min) {before[0]:.2f} before, {after[0]:.2f} after"
    )
    return "\n".join(lines)
