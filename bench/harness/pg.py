"""A throwaway PostgreSQL cluster for one bench run, as ./dev's pg_start makes it (initdb as the
postgres user when run as root, a free loopback port, a socket directory of its own), but with
fsync ON: the durability the servers promise is what is measured. pg_stat_statements is preloaded
so that statements per webhook can be counted. stop() removes everything; bench/run calls it on
every exit path."""
import glob
import os
import shutil
import socket
import subprocess
import tempfile


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin():
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    if not dirs:
        raise SystemExit("bench: PostgreSQL server binaries not found under /usr/lib/postgresql (./dev deps)")
    return dirs[-1]


class Cluster:
    def __init__(self, fsync=True):
        self.bin = pg_bin()
        self.tmp = tempfile.mkdtemp(prefix="recoup-bench-pg.")
        self.data = os.path.join(self.tmp, "data")
        self.port = free_port()
        self.runas = []
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres", "postgres")
            self.runas = ["runuser", "-u", "postgres", "--"]
        self.started = False
        log = os.path.join(self.tmp, "initdb.log")
        with open(log, "w") as f:
            r = subprocess.run(self.runas + [f"{self.bin}/initdb", "-D", self.data, "-U", "recoup",
                                             "--auth=trust", "-E", "UTF8"], stdout=f, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise SystemExit("bench: initdb failed:\n" + open(log).read())
        stat = os.path.exists(os.path.join(os.path.dirname(self.bin), "lib", "pg_stat_statements.so"))
        self.has_pg_stat_statements = stat
        conf = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.tmp}'",
            "max_connections = 200",
            f"fsync = {'on' if fsync else 'off'}",
        ]
        if stat:
            conf += ["shared_preload_libraries = 'pg_stat_statements'"]
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("\n".join(conf) + "\n")
        self.ctl("start")
        self.started = True
        if stat:
            self.sql("postgres", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

    def ctl(self, action):
        args = [f"{self.bin}/pg_ctl", "-D", self.data, "-w"]
        if action == "stop":
            args += ["-m", "fast", "stop"]
        else:
            args += ["-l", os.path.join(self.tmp, "log"), "start"]
        r = subprocess.run(self.runas + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0 and action == "start":
            log = os.path.join(self.tmp, "log")
            raise SystemExit("bench: PostgreSQL did not start: " + r.stderr +
                             (open(log).read() if os.path.exists(log) else ""))

    def url(self, db):
        return f"postgresql://recoup@127.0.0.1:{self.port}/{db}"

    def peer_url(self, db):
        return f"postgres://recoup@127.0.0.1:{self.port}/{db}"

    def sql(self, db, statement):
        """Runs SQL in `db`; the rows as lists of strings (psql's unaligned output)."""
        r = subprocess.run([f"{self.bin}/psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                            "-h", "127.0.0.1", "-p", str(self.port), "-U", "recoup", "-d", db, "-c", statement],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"psql in {db}: {r.stderr.strip()}\n  statement: {statement[:300]}")
        return [line.split("\t") for line in r.stdout.splitlines() if line]

    def scalar(self, db, statement):
        rows = self.sql(db, statement)
        return rows[0][0] if rows else None

    def create_db(self, name, template=None):
        self.sql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
        # FILE_COPY: a template of a million rows per table is copied as files, not through the WAL
        self.sql("postgres", f'CREATE DATABASE "{name}"' +
                 (f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""))

    def drop_db(self, name):
        self.sql("postgres", f'DROP DATABASE IF EXISTS "{name}"')

    def postmaster_pid(self):
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            return int(f.readline())

    def server_version(self):
        return self.scalar("postgres", "SHOW server_version")

    def stop(self):
        if self.started:
            self.ctl("stop")
            self.started = False
        shutil.rmtree(self.tmp, ignore_errors=True)
