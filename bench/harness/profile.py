"""bench/run --profile: where recoupd's CPU goes on the webhook path (startup left out). Hardware counters are not
available in every VM (perf stat -e instructions says "not supported" in this one), so this is
callgrind's instruction count, which needs none and does not move with the machine's load:
recoupd serve under `valgrind --tool=callgrind` on a fresh database, a bounded replay of the
signed load (wrk, 2 connections), then callgrind_annotate's top entries, exclusive (the
function's own instructions) and inclusive (with its callees). The full output goes to
build/bench/callgrind.out and build/bench/profile.txt."""
import os
import re
import shutil
import subprocess
import tempfile

from . import load, servers
from .pg import Cluster


class _UnderCallgrind(servers.Recoupd):
    start_timeout = 120

    def __init__(self, build_dir, workdir, out):
        super().__init__(build_dir, workdir)
        # Only what the event loops run (I/O threads and workers) is counted: startup (plugins, the
        # outbound client's CA store) is not the webhook path.
        self.wrapper = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                        "--toggle-collect=boost::asio::detail::scheduler::run*"]


def run(build_dir, shared_bench, root, seconds=20, top=25):
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        print("bench: valgrind is needed for --profile (apt-get install valgrind)")
        return 1
    out_dir = os.path.join(root, "build", "bench")
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, "callgrind.out")
    workdir = tempfile.mkdtemp(prefix="recoup-bench-profile.")
    cluster = None
    try:
        cluster = Cluster(fsync=True)
        server = _UnderCallgrind(build_dir, workdir, out)
        cluster.create_db("profile")
        server.create_schema(cluster, "profile")
        directory = load.load_dir(shared_bench)
        reqs = os.path.join(workdir, "reqs.tsv")
        load.generate(directory, 20000, servers.SECRET, reqs)
        running = server.start(cluster, "profile", "profile")
        try:
            w = load.run_wrk(running.port, servers.TARGET_PATH, reqs, os.path.join(directory, "replay.lua"), 2,
                             seconds, os.path.join(workdir, "profile.wrk.log"))
        finally:
            running.stop()  # SIGTERM: callgrind writes its file as recoupd exits
        webhooks = max(w["ok_2xx"], 1)
        text = []
        for inclusive in ("no", "yes"):
            r = subprocess.run(["callgrind_annotate", f"--inclusive={inclusive}", out], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
            text.append(r.stdout)
        with open(os.path.join(out_dir, "profile.txt"), "w") as f:
            f.write(f"{w['ok_2xx']} webhooks answered 2xx under callgrind\n\n" + "\n".join(text))
        print(f"bench: {w['ok_2xx']} webhooks (2xx) under callgrind, {w['non_2xx']} other; "
              f"instructions per webhook below are totals / {webhooks}")
        for title, body in zip(("exclusive", "inclusive"), text):
            print(f"\ntop {top}, {title}:")
            print(_top(body, top, webhooks))
        print(f"\nbench: full profile in {os.path.relpath(os.path.join(out_dir, 'profile.txt'), root)}")
        return 0
    finally:
        servers.stop_all()
        if cluster:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _top(annotate_output, n, webhooks):
    """The first n function lines of callgrind_annotate's table, with instructions per webhook."""
    lines, started = [], False
    total = None
    for line in annotate_output.splitlines():
        s = line.strip()
        if s.endswith("PROGRAM TOTALS"):
            total = int(s.split()[0].replace(",", ""))
        if s.startswith("Ir") and "file:function" in s:
            started = True
            continue
        m = re.match(r"^([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$", s) if started else None
        if m:
            ir, name = m.group(1).replace(",", ""), m.group(2)
            share = f"{int(ir) * 100 / total:5.1f}%" if total else ""
            lines.append(f"  {int(ir) // webhooks:>10,} Ir/webhook {share}  {name[:150]}")
            if len(lines) == n:
                break
    if total:
        lines.insert(0, f"  {total // webhooks:>10,} Ir/webhook in all")
    return "\n".join(lines)
