"""What the benchmarks share: percentiles, polling, and running a measurement inside a sandbox."""

from __future__ import annotations

import os
import sys
import time
from typing import Callable

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
