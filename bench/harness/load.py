"""The signed load and wrk: generate N signed Stripe Billing webhooks (each a new invoice), replay
them with `wrk -t2 -cN -dS --latency`, and read wrk's figures plus the exact status counts of
bench/load/statuses.lua."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OWN_LOAD = os.path.join(os.path.dirname(HERE), "load")


def load_dir(shared_dir):
    """../shared/bench/load when it is there (the load of issue #11), else the project's own."""
    shared = os.path.join(shared_dir, "load")
    if os.path.isfile(os.path.join(shared, "gen_stripe.py")) and os.path.isfile(os.path.join(shared, "replay.lua")):
        return shared
    return OWN_LOAD


def generate(directory, n, secret, out):
    subprocess.run([sys.executable, os.path.join(directory, "gen_stripe.py"), str(n), secret, out], check=True)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text)
    if not m:
        raise ValueError(f"wrk latency '{text}'")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse(out):
    """wrk's text output -> dict. Raises ValueError when a figure is missing."""
    r = {}
    m = re.search(r"^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)", out, re.M)
    if not m:
        raise ValueError("no latency line in wrk's output")
    r["latency_avg_ms"], r["latency_max_ms"] = _ms(m.group(1)), _ms(m.group(3))
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s*{pct}%\s+(\S+)", out, re.M)
        if m:
            r[f"latency_p{pct}_ms"] = _ms(m.group(1))
    m = re.search(r"^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m)", out, re.M)
    if not m:
        raise ValueError("no request count in wrk's output")
    r["responses"] = int(m.group(1))
    r["seconds"] = _ms(m.group(2) + m.group(3)) / 1e3
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    r["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()))) if m else \
        {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    r["wrk_non_2xx_3xx"] = int(m.group(1)) if m else 0
    m = re.search(r"bench-statuses: 2xx=(\d+) other=(\d+) 2xx_after_gate=(\d+) gate_to_last=([0-9.]+)", out)
    if not m:
        raise ValueError("no status counts (bench/load/statuses.lua) in wrk's output")
    r["ok_2xx"], r["non_2xx"] = int(m.group(1)), int(m.group(2))
    # the 2xx answers from the moment every wrk thread was loaded to the last answer (statuses.lua)
    r["ok_2xx_after_gate"], r["gate_to_last_s"] = int(m.group(3)), float(m.group(4))
    if r["gate_to_last_s"] > 0:
        r["webhooks_per_s"] = r["ok_2xx_after_gate"] / r["gate_to_last_s"]
    else:
        r["webhooks_per_s"] = r["ok_2xx"] / r["seconds"] if r["seconds"] > 0 else 0.0
    return r


def run_wrk(port, target_path, reqs, replay_lua, connections, duration, log):
    threads = min(2, connections)
    gate = log + ".gate"
    for leftover in (gate, gate + ".n"):
        if os.path.exists(leftover):
            os.remove(leftover)
    env = dict(os.environ, REQS=reqs, TARGET_PATH=target_path, REPLAY_LUA=replay_lua, BENCH_GATE=gate,
               BENCH_STATES=str(threads + 1))
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
            "-s", os.path.join(OWN_LOAD, "statuses.lua"), f"http://127.0.0.1:{port}"]
    r = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(log, "w") as f:
        f.write(" ".join(args) + "\n" + r.stdout)
    if r.returncode != 0:
        raise RuntimeError(f"wrk failed ({r.returncode}), see {log}")
    out = parse(r.stdout)
    out["command"] = " ".join(args[:-3] + ["-s", "replay.lua", args[-1]])
    return out
