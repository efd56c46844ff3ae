"""What bench/run prints: one line per run as it ends, a table of every run, and last the table
of ratios recoupd / peer (markdown, ready to paste into BENCHMARKS.md)."""


def _f(x, digits=0):
    if x is None:
        return "-"
    return f"{x:,.{digits}f}"


def run_line(r):
    w = r["wrk"]
    return (f"bench: {r['server']:7} c={r['connections']:<3} preload={r['preload']:>9,}: "
            f"{w['webhooks_per_s']:,.0f} webhooks/s, p50 {w.get('latency_p50_ms', 0):.2f} ms, "
            f"p99 {w.get('latency_p99_ms', 0):.2f} ms, max {w['latency_max_ms']:.1f} ms, "
            f"2xx {w['ok_2xx']:,}, non-2xx {w['non_2xx']}, peak RSS {r['rss_peak_kb'] / 1024:.1f} MB, "
            f"rows {r['rows']['intents']:,}/{r['rows']['attempts']:,}/{r['rows']['tasks']:,}"
            f"/{'-' if r['rows']['events'] is None else format(r['rows']['events'], ',')}"
            f"{'' if not r['problems'] else '  PROBLEMS: ' + '; '.join(r['problems'])}")


def runs_table(runs):
    head = ("| server | conns | preloaded rows | webhooks/s | p50 ms | p99 ms | max ms | non-2xx | peak RSS MB "
            "| server CPU µs/webhook | PG CPU µs/webhook | statements/webhook | commits/webhook "
            "| intents / attempts / tasks / events | rows check |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in runs:
        w, rows = r["wrk"], r["rows"]
        events = "-" if rows["events"] is None else f"{rows['events']:,}"
        lines.append(
            f"| {r['server']} | {r['connections']} | {r['preload']:,} | {_f(w['webhooks_per_s'])} "
            f"| {_f(w.get('latency_p50_ms'), 2)} | {_f(w.get('latency_p99_ms'), 2)} | {_f(w['latency_max_ms'], 1)} "
            f"| {w['non_2xx']} | {r['rss_peak_kb'] / 1024:.1f} | {_f(r['server_cpu_us'])} | {_f(r['pg_cpu_us'])} "
            f"| {_f(r['statements_per_webhook'], 1)} | {_f(r['commits_per_webhook'], 2)} "
            f"| {rows['intents']:,} / {rows['attempts']:,} / {rows['tasks']:,} / {events} "
            f"| {'ok' if not r['problems'] else 'FAILED'} |")
    return "\n".join(lines)


def _ratio(a, b, digits=2):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.{digits}f}x"


def ratios_table(runs):
    """One row per (preloaded rows, connections) measured for both servers."""
    by = {(r["server"], r["preload"], r["connections"]): r for r in runs}
    keys = sorted({(r["preload"], r["connections"]) for r in runs}, key=lambda k: (k[0], -k[1]))
    head = ("| preloaded rows | connections | recoupd webhooks/s | peer webhooks/s | throughput ratio "
            "| p99 recoupd / peer (ms) | p99 ratio | peak RSS recoupd / peer (MB) | RSS ratio "
            "| recoupd vs empty database |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for preload, conns in keys:
        a, b = by.get(("recoupd", preload, conns)), by.get(("peer", preload, conns))
        empty = by.get(("recoupd", 0, conns))
        if a is None:
            continue
        ta, pa = a["wrk"]["webhooks_per_s"], a["wrk"].get("latency_p99_ms")
        tb = b["wrk"]["webhooks_per_s"] if b else None
        pb = b["wrk"].get("latency_p99_ms") if b else None
        ra, rb = a["rss_peak_kb"] / 1024, (b["rss_peak_kb"] / 1024 if b else None)
        vs_empty = _ratio(ta, empty["wrk"]["webhooks_per_s"]) if empty and preload else "-"
        lines.append(
            f"| {preload:,} | {conns} | {_f(ta)} | {_f(tb)} | {_ratio(ta, tb)} | {_f(pa, 1)} / {_f(pb, 1)} "
            f"| {_ratio(pa, pb)} | {ra:.0f} / {_f(rb)} | {_ratio(ra, rb, 3)} | {vs_empty} |")
    return "\n".join(lines)
