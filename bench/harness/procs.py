"""CPU time and memory of a process tree, read from /proc: a server under test is its main
process and every descendant (the Node peer is a cluster of processes; PostgreSQL is the
postmaster and its backends)."""
import os
import threading

TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    # the command name may hold spaces and parentheses: the fields start after the last ')'
    return s[s.rindex(")") + 2:].split()


def tree(root):
    """root and all its descendants that are alive now."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            ppid = int(_stat_fields(d)[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(root):
    """utime + stime of the tree, plus cutime + cstime (the children that exited and were reaped)."""
    total = 0
    for pid in tree(root):
        try:
            f = _stat_fields(pid)
        except (OSError, IndexError):
            continue
        # fields 14-17 of proc(5): utime stime cutime cstime; here indexed from field 3
        total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
    return total / TICKS


def _status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler:
    """Samples the tree every `interval` seconds from start() to stop(): the peak of the sum of
    VmRSS over the tree's processes, and at stop() the sum of each process's own VmHWM."""

    def __init__(self, root, interval=0.05):
        self.root, self.interval = root, interval
        self.peak_kb = 0
        self.hwm_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self):
        pids = tree(self.root)
        self.peak_kb = max(self.peak_kb, sum(_status_kb(p, "VmRSS") for p in pids))
        return pids

    def _run(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def start(self):
        self._sample()
        self._thread.start()
        return self

    def stop(self):
        """Call while the processes still live: VmHWM goes with them."""
        self._stop.set()
        self._thread.join()
        pids = self._sample()
        self.hwm_kb = sum(_status_kb(p, "VmHWM") for p in pids)
        return self


def machine_busy_seconds():
    """CPU seconds the whole machine spent not idle (all CPUs, /proc/stat), to check the others against."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / TICKS
