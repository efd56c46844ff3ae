"""bench/run --micro: bench/micro's Google Benchmark binary (every connector, every fixture) and
the Node peer's micro.js (stripe.webhooks.constructEvent) on the same invoice.payment_failed
files, in one table. Times are CPU time per delivery (the machine is shared; CPU time is the
less noisy of the two)."""
import json
import os
import shutil
import subprocess
import tempfile


def _node_micro(shared_bench, files, iterations):
    """{path: ns per webhook} of the peer's micro.js, or {} when node or the peer is absent."""
    src = os.path.join(shared_bench, "peer-node")
    if not shutil.which("node") or not shutil.which("npm") or not os.path.isfile(os.path.join(src, "micro.js")):
        return {}
    out = {}
    work = tempfile.mkdtemp(prefix="recoup-bench-micro.")
    try:
        peer = os.path.join(work, "peer-node")
        shutil.copytree(src, peer, ignore=shutil.ignore_patterns("node_modules"))
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=peer, check=True,
                       stdout=subprocess.DEVNULL)
        for f in files:
            r = subprocess.run(["node", "micro.js", f, str(iterations)], cwd=peer, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            for word in r.stdout.split():
                if word.startswith("ns_per_webhook="):
                    out[f] = float(word.split("=", 1)[1])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _fixture_path(root, shared_bench, connector, fixture):
    origin, name = fixture.split("/", 1)
    if origin == "own":
        return os.path.join(root, "tests", "fixtures", connector, name + ".json")
    return os.path.join(os.path.dirname(shared_bench), "fixtures",
                        "stripe" if connector == "stripe_billing" else connector, name + ".json")


def run(build_dir, shared_bench, root, min_time="0.1"):
    binary = os.path.join(build_dir, "bench", "micro", "recoup_micro")
    if not os.access(binary, os.X_OK):
        print(f"bench: {binary} is not built (meson configure {build_dir} -Dbench=true; needs libbenchmark-dev)")
        return 1
    r = subprocess.run([binary, "--benchmark_format=json", f"--benchmark_min_time={min_time}"],
                       stdout=subprocess.PIPE, text=True)
    if r.returncode != 0:
        print("bench: recoup_micro failed")
        return 1
    data = json.loads(r.stdout)
    ns = {}
    for b in data["benchmarks"]:
        if b.get("error_occurred"):
            print(f"bench: {b['name']}: {b.get('error_message')}")
            return 1
        parts = b["name"].split("/")  # connector/origin/fixture/what
        connector, fixture, what = parts[0], "/".join(parts[1:-1]), parts[-1]
        unit = {"ns": 1, "us": 1e3, "ms": 1e6}[b.get("time_unit", "ns")]
        ns.setdefault((connector, fixture), {})[what] = b["cpu_time"] * unit
    files = {}
    for (connector, fixture) in ns:
        path = _fixture_path(root, shared_bench, connector, fixture)
        if connector == "stripe_billing" and os.path.isfile(path):
            with open(path, "rb") as f:
                body = f.read()
            try:
                if json.loads(body).get("type") == "invoice.payment_failed":
                    files[(connector, fixture)] = path
            except ValueError:
                pass
    peer = _node_micro(shared_bench, sorted(set(files.values())), 5000)
    head = ("| connector | fixture | bytes | HMAC ns | parse ns | floor ns | static ns | static / floor "
            "| plugin ns | plugin / floor | peer micro.js ns |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    worst = 0.0
    for (connector, fixture), t in sorted(ns.items()):
        floor = t["floor_hmac"] + t["floor_parse"]
        size = os.path.getsize(_fixture_path(root, shared_bench, connector, fixture))
        ratios = [t[k] / floor for k in ("static", "plugin") if k in t]
        worst = max([worst] + ratios)
        p = peer.get(files.get((connector, fixture)))
        lines.append(f"| {connector} | {fixture} | {size:,} | {t['floor_hmac']:,.0f} | {t['floor_parse']:,.0f} "
                     f"| {floor:,.0f} | {t['static']:,.0f} | {t['static'] / floor:.2f}x "
                     f"| {t.get('plugin', 0):,.0f} | {t['plugin'] / floor if 'plugin' in t else 0:.2f}x "
                     f"| {'-' if p is None else format(p, ',.0f')} |")
    print("\n".join(lines))
    print("\n" + _summary(ns))
    print(f"\nbench: worst ratio to the floor: {worst:.2f}x (target at most 1.3x); CPU time per delivery, "
          f"{data['context'].get('num_cpus')} CPUs, load average {os.getloadavg()[0]:.1f}")
    out = os.path.join(root, "build", "bench")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "micro.json"), "w") as f:
        json.dump({"benchmark": data, "peer_micro_js_ns": {f"{c}/{x}": peer.get(p) for (c, x), p in files.items()}},
                  f, indent=1)
    return 0


def _summary(ns):
    """Per connector: the median and the worst ratio to the floor, static and through the plugin."""
    head = "| connector | fixtures | static / floor, median | static / floor, worst | plugin / floor, median | plugin / floor, worst |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for connector in sorted({c for c, _ in ns}):
        rows = [t for (c, _), t in ns.items() if c == connector]
        cols = []
        for k in ("static", "plugin"):
            r = sorted(t[k] / (t["floor_hmac"] + t["floor_parse"]) for t in rows if k in t)
            cols += [f"{r[len(r) // 2]:.2f}x", f"{r[-1]:.2f}x"] if r else ["-", "-"]
        lines.append(f"| {connector} | {len(rows)} | " + " | ".join(cols) + " |")
    return "\n".join(lines)
