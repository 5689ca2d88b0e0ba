"""What the benchmarks share: percentiles, polling, running a measurement inside a sandbox, and memory."""

from __future__ import annotations

import os
import sys
import time
from typing import Callable, Dict, List

PAGE = os.sysconf("SC_PAGE_SIZE")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)


def pct(values, q: float):
    """The q-quantile (nearest rank) of some figures."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def wait_for(pred: Callable[[], bool], timeout: float = 30.0, step: float = 0.05) -> bool:
    """Poll `pred` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return False


def in_sandbox(measure: Callable[[], None], machine_extra: str = "") -> None:
    """Print the machine line, run `measure` as PID 2 of a fresh sandbox, exit with its status."""
    from k8slab.sandbox import run_in_sandbox

    def inside(info) -> int:
        extra = f", {machine_extra}" if machine_extra else ""
        print(f"machine: {os.cpu_count()} cores, {'rootless' if info.rootless else 'root'} sandbox{extra}")
        measure()
        return 0

    sys.exit(run_in_sandbox(inside))


def tree_pids(root: int) -> List[int]:
    """`root` and all its descendants (as /proc shows them now)."""
    children: Dict[int, List[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def pss(pid: int) -> int:
    """Bytes of memory of one process: its proportional set size (shared pages divided among the
    processes sharing them, so that a sum over processes is the memory they take together); its
    resident size where /proc has no smaps_rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except PermissionError:
        pass
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def tree_rss(root: int) -> tuple:
    """(bytes of memory, processes) of `root` and all its descendants, by `pss`."""
    total, count = 0, 0
    for pid in tree_pids(root):
        try:
            total += pss(pid)
            count += 1
        except (OSError, IndexError, ValueError):
            pass  # gone meanwhile
    return total, count
