"""bench/run --layout: recoupd alone on empty tables under each serving layout below, one after the
other in one run, so the defaults of `recoupd serve` (I/O threads, workers, group commit; the
pool follows the workers) are chosen from figures rather than guessed. A variant's name spells its
flags: t<threads>-w<workers>-g<group commit batch>; 'default' is serve with no layout flag."""

# Around the defaults: fewer and more workers with and without group commit, and one I/O thread
# against one per core. Each run is --duration seconds (10 by default) on a fresh database.
VARIANTS = [
    "default",
    "t2-w2-g0", "t2-w4-g0", "t2-w8-g0", "t2-w16-g0",
    "t2-w4-g64", "t2-w8-g64", "t2-w16-g64", "t2-w32-g64",
    "t1-w8-g64", "t2-w8-g16", "t2-w8-g256",
]

_FLAG = {"t": "--threads", "w": "--workers", "g": "--group-commit"}


def flags_of(variant):
    """serve's flags for a variant name ([] for None and 'default')."""
    if not variant or variant == "default":
        return []
    flags = []
    for part in variant.split("-"):
        flags += [_FLAG[part[0]], part[1:]]
    return flags


def _f(x, digits=0):
    return "-" if x is None else f"{x:,.{digits}f}"


def table(runs):
    head = ("| layout | serve flags | conns | webhooks/s | p50 ms | p99 ms | max ms | non-2xx | server CPU µs/webhook "
            "| PG CPU µs/webhook | statements/webhook | commits/webhook | peak RSS MB | rows check |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in runs:
        w = r["wrk"]
        lines.append(
            f"| {r['layout']} | `{' '.join(flags_of(r['layout'])) or '(none)'}` | {r['connections']} "
            f"| {_f(w['webhooks_per_s'])} | {_f(w.get('latency_p50_ms'), 2)} | {_f(w.get('latency_p99_ms'), 2)} "
            f"| {_f(w['latency_max_ms'], 1)} | {w['non_2xx']} | {_f(r['server_cpu_us'])} | {_f(r['pg_cpu_us'])} "
            f"| {_f(r['statements_per_webhook'], 1)} | {_f(r['commits_per_webhook'], 2)} "
            f"| {r['rss_peak_kb'] / 1024:.1f} | {'ok' if not r['problems'] else 'FAILED'} |")
    best = max(runs, key=lambda r: r["wrk"]["webhooks_per_s"] if not r["problems"] else -1)
    lines.append(f"\nHighest throughput without a problem: {best['layout']} "
                 f"({_f(best['wrk']['webhooks_per_s'])} webhooks/s, p99 {_f(best['wrk'].get('latency_p99_ms'), 2)} ms).")
    return "\n".join(lines)
