"""Row counts after a run, and the check that nothing was lost or duplicated. Every request of
the load is a new invoice `in_<i>` whose kind is i % 10 (0-6 payment_failed, 7-8
payment_succeeded, 9 voided), so the rows each intent must have follow from its own reference:
a failed invoice one attempt and one task, a paid one one attempt and no task, a voided one no
task (and the same number of attempts, 0 or 1, for every voided invoice). Preloaded rows
(references `pre_<i>`) are left out. The intents must number at least the 2xx answers (none
lost) and at most those plus the requests still in flight when wrk stopped (at most one per
connection, plus any that timed out)."""

KIND = "CASE WHEN k < 7 THEN 'failed' WHEN k < 9 THEN 'succeeded' ELSE 'voided' END"

PER_KIND = {
    "recoupd": f"""
        WITH i AS (SELECT id, substr(merchant_reference_id, 4)::bigint % 10 AS k FROM payment_intent
                   WHERE merchant_reference_id ~ '^in_[0-9]+$'),
             a AS (SELECT payment_id, count(*) AS n FROM payment_attempt GROUP BY payment_id),
             t AS (SELECT payment_id, count(*) AS n FROM process_tracker GROUP BY payment_id),
             j AS (SELECT {KIND} AS kind, coalesce(a.n, 0) AS na, coalesce(t.n, 0) AS nt
                   FROM i LEFT JOIN a ON a.payment_id = i.id LEFT JOIN t ON t.payment_id = i.id)
        SELECT kind, count(*), sum(na), min(na), max(na), sum(nt), min(nt), max(nt) FROM j GROUP BY kind""",
    "peer": f"""
        WITH i AS (SELECT id, substr(merchant_reference_id, 4)::bigint % 10 AS k FROM payment_intent
                   WHERE merchant_reference_id ~ '^in_[0-9]+$'),
             a AS (SELECT intent_id, count(*) AS n FROM payment_attempt GROUP BY intent_id),
             t AS (SELECT intent_id, count(*) AS n FROM process_tracker GROUP BY intent_id),
             j AS (SELECT {KIND} AS kind, coalesce(a.n, 0) AS na, coalesce(t.n, 0) AS nt
                   FROM i LEFT JOIN a ON a.intent_id = i.id LEFT JOIN t ON t.intent_id = i.id)
        SELECT kind, count(*), sum(na), min(na), max(na), sum(nt), min(nt), max(nt) FROM j GROUP BY kind""",
}

# (attempts, tasks) every intent of the kind must have; None: the same for all, 0 or 1.
EXPECTED = {"failed": (1, 1), "succeeded": (1, 0), "voided": (None, 0)}


def count(cluster, db, server):
    """{'intents', 'attempts', 'tasks', 'events', 'per_kind': {...}} of the load's rows."""
    per_kind = {}
    for kind, *n in cluster.sql(db, PER_KIND[server]):
        n = [int(x) for x in n]
        per_kind[kind] = dict(zip(("intents", "attempts", "attempts_min", "attempts_max",
                                   "tasks", "tasks_min", "tasks_max"), n))
    out = {k: sum(v[k] for v in per_kind.values()) for k in ("intents", "attempts", "tasks")}
    out["per_kind"] = per_kind
    if server == "recoupd":
        out["events"] = int(cluster.scalar(db, "SELECT count(*) FROM webhook_event WHERE connector_event_id ~ '^evt_[0-9]+$'"))
        out["deliveries"] = int(cluster.scalar(db, "SELECT count(*) FROM webhook_delivery WHERE dedup_key ~ '^evt_[0-9]+$'"))
    else:
        out["events"] = None  # the peer keeps no event log
    return out


def check(rows, wrk, connections, server):
    """The problems found, as sentences; empty when nothing was lost or duplicated."""
    problems = []
    ok = wrk["ok_2xx"]
    slack = connections + wrk["socket_errors"]["timeout"] + wrk["non_2xx"]
    if rows["intents"] < ok:
        problems.append(f"{ok - rows['intents']} webhooks answered 2xx have no intent (lost)")
    if rows["intents"] > ok + slack:
        problems.append(f"{rows['intents']} intents for {ok} 2xx answers: more than the {slack} requests that "
                        "could still be in flight (duplicated, or the load repeated: raise --requests)")
    for kind, n in rows["per_kind"].items():
        want_a, want_t = EXPECTED[kind]
        if n["attempts_min"] != n["attempts_max"] or (want_a is not None and n["attempts_min"] != want_a) \
                or n["attempts_max"] > 1:
            problems.append(f"{kind}: attempts per intent {n['attempts_min']}..{n['attempts_max']}, expected "
                            f"{'one number, 0 or 1' if want_a is None else want_a}")
        if n["tasks_min"] != want_t or n["tasks_max"] != want_t:
            problems.append(f"{kind}: tasks per intent {n['tasks_min']}..{n['tasks_max']}, expected {want_t}")
    if server == "recoupd":
        if rows["events"] != rows["intents"]:
            problems.append(f"{rows['events']} webhook_event rows for {rows['intents']} intents (one delivery each)")
        if rows["deliveries"] != rows["intents"]:
            problems.append(f"{rows['deliveries']} webhook_delivery rows for {rows['intents']} intents")
    return problems
