"""The two servers under test, each on a database of its own: recoupd (its schema from `recoupd
migrate up`, a profile and a Stripe Billing MCA made with its CLI) and the Node peer of
../shared/bench/peer-node (copied to a temporary directory, `npm ci` there; it creates its own
schema when it starts). Each runs in a process group of its own, stopped by that group's id."""
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request

PROFILE, MCA, SECRET = "pro_bench", "mca_bench", "whsec_test"
TARGET_PATH = f"/v2/webhooks/revenue_recovery/{PROFILE}/{MCA}"
# Bench-only key for the MCA secret at rest (recoupd refuses to run PostgreSQL without one).
MASTER_KEY = "62656e63682d6f6e6c792d6d61737465722d6b65792d6e6f742d736563726574"


def _wait_for_line(path, needle, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                for line in f:
                    if needle in line:
                        return line
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    text = open(path, errors="replace").read()[-2000:] if os.path.exists(path) else ""
    raise RuntimeError(f"server did not print '{needle}' within {timeout}s:\n{text}")


def _wait_http(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer: it listens
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port} after {timeout}s")


class Running:
    def __init__(self, proc, port, log):
        self.proc, self.port, self.log = proc, port, log

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        stop_group(self.proc)


def stop_group(proc):
    """SIGTERM to the process group we started (SIGKILL after 15 s), then SIGKILL to any member of
    it still alive once its leader is gone (a cluster's workers). A group id stays taken while any
    member lives, so the members found are ours."""
    if proc in _started:
        _started.remove(proc)
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.getpgid(int(d)) == proc.pid:
                    os.kill(int(d), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


_started = []


def stop_all():
    """Every server this run started and did not stop yet (bench/run calls it on every exit path)."""
    while _started:
        stop_group(_started.pop())


def _start(args, env, log, cwd=None):
    out = open(log, "w")
    try:
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        _started.append(proc)
        return proc
    finally:
        out.close()


class Recoupd:
    name = "recoupd"
    wrapper = []  # a command recoupd serve runs under (valgrind for --profile)
    start_timeout = 30

    def __init__(self, build_dir, workdir, serve_args=()):
        self.serve_args = list(serve_args)
        self.bin = os.path.join(build_dir, "host", "recoupd")
        self.plugins = os.path.join(build_dir, "plugins")
        self.workdir = workdir
        if not os.access(self.bin, os.X_OK):
            raise SystemExit(f"bench: {self.bin} is not built")

    def _env(self):
        return dict(os.environ, RECOUP_MASTER_KEY=MASTER_KEY, RECOUP_PLUGIN_DIR=self.plugins)

    def _cli(self, url, *args, extra_env=None):
        env = self._env()
        env.update(extra_env or {})
        r = subprocess.run([self.bin, *args, "--database", url], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"recoupd {' '.join(args)}: {r.stdout.strip()}")

    def create_schema(self, cluster, db):
        """Migrations, then the profile and its Stripe Billing MCA (secret whsec_test)."""
        url = cluster.url(db)
        self._cli(url, "migrate", "up")
        self._cli(url, "profile", "add", "--id", PROFILE)
        self._cli(url, "mca", "add", "--profile", PROFILE, "--id", MCA, "--connector", "stripe_billing",
                  "--secret-env", "BENCH_WEBHOOK_SECRET", extra_env={"BENCH_WEBHOOK_SECRET": SECRET})

    def start(self, cluster, db, tag, variant=None):
        from .pg import free_port
        from .layout import flags_of
        port = free_port()
        log = os.path.join(self.workdir, f"{tag}.server.log")
        # --no-scheduler: the webhook path alone (the peer has no scheduler either)
        proc = _start(self.wrapper + [self.bin, "serve", "--listen", f"127.0.0.1:{port}", "--database", cluster.url(db),
                       "--no-scheduler", *self.serve_args, *flags_of(variant)], self._env(), log)
        running = Running(proc, port, log)
        try:
            _wait_for_line(log, "listening on ", proc, self.start_timeout)
            _wait_http(port, 10)
        except Exception:
            running.stop()
            raise
        return running


class Peer:
    name = "peer"

    def __init__(self, source_dir, workdir):
        self.dir = os.path.join(workdir, "peer-node")
        self.workdir = workdir
        self.node = shutil.which("node")
        if not self.node or not shutil.which("npm"):
            raise SystemExit("bench: node and npm are needed for the peer (./dev deps)")
        if not os.path.isfile(os.path.join(source_dir, "server.js")):
            raise SystemExit(f"bench: the Node peer is not at {source_dir} (use --no-peer to measure recoupd alone)")
        shutil.copytree(source_dir, self.dir, ignore=shutil.ignore_patterns("node_modules"))
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=self.dir,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise SystemExit("bench: npm ci of the peer failed:\n" + r.stdout[-3000:])

    def _env(self, cluster, db, port):
        return dict(os.environ, DATABASE_URL=cluster.peer_url(db), PORT=str(port), STRIPE_WEBHOOK_SECRET=SECRET)

    def create_schema(self, cluster, db):
        """The peer creates its tables when it starts: start it once and stop it."""
        self.start(cluster, db, "peer-schema").stop()

    def start(self, cluster, db, tag, variant=None):
        from .pg import free_port
        port = free_port()
        log = os.path.join(self.workdir, f"{tag}.server.log")
        proc = _start([self.node, "server.js"], self._env(cluster, db, port), log, cwd=self.dir)
        running = Running(proc, port, log)
        try:
            _wait_for_line(log, "peer listening on", proc, 30)
            _wait_http(port, 10)
            time.sleep(1.0)  # the primary printed after forking: let every worker reach listen()
        except Exception:
            running.stop()
            raise
        return running
