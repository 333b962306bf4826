"""The projections benchmark's results as a table, with PASS/MISS against the targets."""

from __future__ import annotations

from typing import Any

from bench.common import verdict
from bench.lag import TARGET_LAG_S
from bench.pages import TARGET_PAGE_P95_MS
from bench.queries import TARGET_QUERY_P95_MS
from bench.rebuild import READ_PAGE, TARGET_REBUILD_PER_S, TARGET_RSS_GROWTH


def report(results: dict[str, Any]) -> str:
    m, g, log, read = results["machine"], results["generation"], results["log"], results["read"]
    changed = results["code"]["changed_outside_bench"]
    lines = [
        f"projections benchmark ({results['plan']}), {m['date']}, {m['cpus']} CPUs, Python {m['python']}, "
        f"psycopg {m['psycopg']} ({m['psycopg_impl']}), {m['postgres'].split(' on ')[0]}",
        f"code: {results['code']['commit']}"
        + (f", with uncommitted changes to {', '.join(changed)}" if changed else ""),
        "postgres: "
        + ", ".join(f"{k} {v}" for k, v in {**m["postgres_settings"], **results["postgres_planner_settings"]}.items()),
        "",
        f"log: {log['events']:,} events (mean state {log['mean_state_bytes']:.0f} bytes, table "
        f"{log['table_bytes'] / 1e6:,.0f} MB), {g['first_day']} to {g['last_event'][:10]}; "
        + ", ".join(f"{n:,} {k}s" for k, n in g["records"].items()),
        f"  completed records: {g['completed_events_per_case']:.1f} events over {g['completed_days_per_case']:.0f}"
        f" days each; {g['stalled']:,} stalled part-way, {g['in_progress_at_end']:,} in progress at the end",
        f"  written at {g['per_s']:,.0f} events/s by {g['processes']} processes ({g['seconds']:.0f} s, of which"
        f" ledger.save {'+'.join(str(s) for s in g['save_seconds_per_process'])} s;"
        f" {g['transactions']:,} transactions of {g['events_per_transaction']:.0f} events)",
        "",
        f"reading the whole log, pages of {READ_PAGE}:",
        f"  raw select_notifications      {read['raw']['per_s']:>9,.0f} events/s ({read['raw']['mb_per_s']:.0f} MB/s)",
        f"  + mapper.to_domain_event      {read['decoded']['per_s']:>9,.0f} events/s",
        "",
        f"rebuild (target ≥ {TARGET_REBUILD_PER_S:,} events/s; memory flat: end ≤ {TARGET_RSS_GROWTH:.2f} × after 10%)",
        f"  {'projection':14} {'events/s':>9} {'÷ raw':>6} {'÷ dec.':>6} {'seconds':>8}  {'RSS MB: before':>14}"
        f" {'10%':>5} {'50%':>5} {'end':>5} {'peak':>5}  rate  memory",
    ]
    for r in results["rebuild"]:
        rss = r["rss"]
        lines.append(
            f"  {r['projection']:14} {r['per_s']:9,.0f} {r['ratio_to_raw_read']:6.3f} {r['ratio_to_decoded_read']:6.3f}"
            f" {r['seconds']:8.1f}  {rss['before_mb']:14.0f} {rss['after_10pct_mb']:5.0f} {rss['middle_mb']:5.0f}"
            f" {rss['end_mb']:5.0f} {rss['peak_mb']:5.0f}  {verdict(r['per_s'] >= TARGET_REBUILD_PER_S)}"
            f"  {verdict(rss['flat'])}"
        )
    turn = results["rebuild_all_in_turn"]
    lines.append(
        f"  all, one after the other: {turn['seconds']:.1f} s, {turn['log_events_per_s']:,.0f} log events/s"
        f"  {verdict(turn['log_events_per_s'] >= TARGET_REBUILD_PER_S)}"
    )
    together = results.get("rebuild_together")
    if together:
        rss = together["rss"]
        lines.append(
            f"  all at once, a thread each: {together['seconds']:.1f} s, {together['log_events_per_s']:,.0f} log"
            f" events/s, RSS {rss['after_10pct_mb']:.0f} → {rss['end_mb']:.0f} MB (peak {rss['peak_mb']:.0f})"
            f"  {verdict(together['log_events_per_s'] >= TARGET_REBUILD_PER_S)}  {verdict(rss['flat'])}"
            + (f"  errors: {together['errors']}" if together["errors"] else "")
        )
    for r in results["rebuild"]:
        lines.append(f"  {r['projection']}: events/s by tenth of the log: {', '.join(map(str, r['rate_by_tenth']))}")
    lines.append("  where a rebuild's time goes, µs per event:")
    names = list(dict.fromkeys(k for r in results["rebuild"] for k in r["breakdown_us_per_event"]))
    lines.append(f"    {'':32}" + "".join(f" {r['projection'][:12]:>12}" for r in results["rebuild"]))
    for name in names:
        lines.append(
            f"    {name:32}"
            + "".join(
                f" {r['breakdown_us_per_event'][name]:12.1f}" if name in r["breakdown_us_per_event"] else f" {'':>12}"
                for r in results["rebuild"]
            )
        )
    vacuum = results["vacuum_analyze"]
    dead = ", ".join(
        f"{t} {v['dead_before']:,} dead / {v['live']:,} live, {v.get('mean_row_bytes', 0):,} B a row"
        for t, v in vacuum["tables"].items()
        if v["live"] > 1000
    )
    lines += [
        "",
        f"queries (target p95 ≤ {TARGET_QUERY_P95_MS:.0f} ms for queues and statistics; ms): as the rebuild left"
        f" the tables, then after VACUUM ANALYZE ({vacuum['seconds']:.1f} s; before it: {dead})",
        f"  {'':34} {'as rebuilt: n':>13} {'p50':>7} {'p95':>7} | {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}",
    ]
    for name, q in results["queries"].items():
        judged = "" if q["group"] == "list" else verdict(q["pass"])
        before = results["queries_as_rebuilt"][name]
        lines.append(
            f"  {name:34} {before['repeats']:13d} {before['p50_ms']:7.1f} {before['p95_ms']:7.1f} |"
            f" {q['repeats']:4d} {q['p50_ms']:7.1f} {q['p95_ms']:7.1f} {q['p99_ms']:7.1f} {q['max_ms']:7.1f}  {judged}"
        )
    pages = results["pages"]
    lines += [
        "",
        f"console pages from caseledger serve, 1 worker, 1 thread (target p95 ≤ {TARGET_PAGE_P95_MS:.0f} ms;"
        " ms; × = p50 against /health)",
        f"  {'':34} {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'×':>6}",
    ]
    for name, page in pages.items():
        judged = "" if name.startswith("health") else verdict(page["p95_ms"] <= TARGET_PAGE_P95_MS)
        lines.append(
            f"  {name:34} {page['runs']:4d} {page['p50_ms']:7.1f} {page['p95_ms']:7.1f} {page['p99_ms']:7.1f}"
            f" {page['max_ms']:7.1f} {page['p50_vs_health']:6.1f}  {judged}"
        )
    lag = results["lag"]
    cores = lag["cores_used"]
    lines += [
        "",
        f"lag under a steady load (target: every command applied within {TARGET_LAG_S:.0f} s)",
        f"  {lag['commands']:,} commands in {lag['seconds']:.1f} s from {lag['processes']} processes ×"
        f" {lag['threads'] // lag['processes']} threads: {lag['per_s']:.1f}/s"
        f" of {lag['target_rate']:.0f}/s scheduled ({'sustained' if lag['sustained'] else 'NOT sustained'});"
        f" {lag['errors']} errors; lateness p95 {lag['schedule_lateness_p95_ms']:.0f} ms;"
        f" command p50 {lag['all_commands_latency']['p50_ms']:.1f} ms, p99 {lag['all_commands_latency']['p99_ms']:.1f}"
        f" ms; cores: " + ", ".join(f"{k} {v:.2f}" for k, v in cores.items()),
    ]
    for name, value in lag["lag"].items():
        lines.append(
            f"  {name:14} applied {value['applied']:6,}  p50 {value['p50_s'] * 1000:6.0f} ms"
            f"  p95 {value['p95_s'] * 1000:6.0f} ms  p99 {value['p99_s'] * 1000:6.0f} ms"
            f"  max {value['max_s'] * 1000:6.0f} ms"
            f"  {verdict(value['pass'])}"
        )
    if lag["first_errors"]:
        lines.append(f"  errors, e.g. {lag['first_errors'][:2]}")
    measured = ", ".join(results["projections"])
    before, after = results["load_average_before"], results["load_average_after"]
    lines += [
        "",
        f"projections: {measured}",
        f"total {results['total_seconds']:.0f} s; load average (1 min) {before[0]:.2f} before, {after[0]:.2f} after;"
        " at the start of each phase: "
        + ", ".join(f"{v['load_average'][0]:.1f} ({k.split(':')[0]})" for k, v in results["phases"].items()),
    ]
    for name, found in results.get("profile", {}).items():
        lines += ["", f"cProfile of rebuilding {name}, first {found['events']:,} events (whole: {found['file']}):"]
        lines += [f"  {line}" for line in found["top"]]
    return "\n".join(lines)
