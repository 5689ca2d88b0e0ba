"""What the suite's figure scripts share: samples in, medians and ratios out, one JSON file per script.

A figure script measures each figure several times beside its baseline, in the same run, and calls
`Figures.add`. Its `--json FILE` option writes what it measured, for `bench/suite.py` to gather; its
`--quick` option measures each figure once at its smallest size, to check that it runs (CI).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from typing import List, Optional

from common import pct


class Figures:
    """The figures one script measured."""

    def __init__(self, group: str):
        self.group = group
        self.rows: List[dict] = []

    def add(self, name: str, samples: List[float], unit: str, *, baseline: Optional[List[float]] = None,
            baseline_name: str = "", target: str = "", p99: bool = False) -> dict:
        """One figure from its samples (and its baseline's, measured in the same run)."""
        row = {"group": self.group, "figure": name, "unit": unit, "runs": len(samples),
               "median": statistics.median(samples), "samples": samples, "target": target}
        if p99:
            row["p99"] = pct(samples, 0.99)
        if baseline:
            row["baseline"] = baseline_name
            row["baseline_median"] = statistics.median(baseline)
            row["baseline_samples"] = baseline
            row["ratio"] = row["median"] / row["baseline_median"] if row["baseline_median"] else None
        self.rows.append(row)
        print(line(row), flush=True)
        return row

    def fail(self, name: str, why: str) -> None:
        """A figure that could not be measured, and why (it stays in the table)."""
        row = {"group": self.group, "figure": name, "error": why}
        self.rows.append(row)
        print(f"{name}: not measured: {why}", flush=True)

    def write(self, path: Optional[str]) -> None:
        """Write the figures for the suite (if it asked)."""
        if path:
            with open(path, "w") as f:
                json.dump(self.rows, f, indent=1)


def line(row: dict) -> str:
    """One figure as a line of text."""
    text = f"{row['figure']}: median {fmt(row['median'], row['unit'])}"
    if "p99" in row:
        text += f", p99 {fmt(row['p99'], row['unit'])}"
    if "baseline" in row:
        text += f"; {row['baseline']}: {fmt(row['baseline_median'], row['unit'])}"
        if row.get("ratio") is not None:
            text += f" (x{row['ratio']:.2f})"
    text += f"  [{row['runs']} run{'s' if row['runs'] != 1 else ''}]"
    if row.get("target"):
        text += f"  target: {row['target']}"
    return text


def fmt(value: float, unit: str) -> str:
    """A value with its unit, to a sensible precision."""
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:.3g} {unit}"


def arguments(description: str, runs: int) -> argparse.Namespace:
    """--quick, --runs and --json, as every figure script takes them."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help="each figure once, at its smallest size (seconds)")
    ap.add_argument("--runs", type=int, default=runs, help=f"runs per figure (default {runs}; --quick: 1)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON (for bench/suite.py)")
    args = ap.parse_args()
    if args.quick:
        args.runs = 1
    return args


def machine() -> str:
    """This machine, in one line."""
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores{' (' + model + ')' if model else ''}, {mem:.0f} GiB, Linux {os.uname().release}, " \
           f"Python {sys.version.split()[0]}"
