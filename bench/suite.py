#!/usr/bin/env python3
"""Every benchmark of the suite in one run: one table, every figure beside its baseline, and a JSON file.

Each figure script runs in its own process (and its own sandboxes); each writes its figures as JSON,
which this script gathers. `--quick` runs each figure once at its smallest size (CI checks that the
suite runs); without it, medians of several runs at every size.

    ./dev bench [--quick] [--json FILE]         (installs what it needs first)
    .venv/bin/python bench/suite.py [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from common import REPO
from kit import fmt, machine

# In the order of the table: each runs in its own process and its own sandboxes.
SCRIPTS = ("startup.py", "pod_start.py", "programming.py", "proxy_sync.py", "dns.py", "throughput.py", "repl.py",
           "memory.py")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="each figure once, at its smallest size")
    ap.add_argument("--json", metavar="FILE", default=os.path.join(tempfile.gettempdir(), "k8slab-bench.json"),
                    help="where the figures go (default: k8slab-bench.json in the temporary directory)")
    args = ap.parse_args()
    rows, failed = [], []
    t0 = time.monotonic()
    env = {**os.environ, "PYTHONPATH": REPO}
    with tempfile.TemporaryDirectory(prefix="k8slab-bench-") as tmp:
        for script in SCRIPTS:
            out = os.path.join(tmp, script + ".json")
            print(f"== {script}", flush=True)
            argv = [sys.executable, os.path.join(REPO, "bench", script), "--json", out] + (["--quick"] if args.quick else [])
            done = subprocess.run(argv, env=env, cwd=REPO)
            if done.returncode or not os.path.exists(out):
                failed.append(script)
                continue
            with open(out) as f:
                rows += json.load(f)
    report = {"machine": machine(), "quick": args.quick, "seconds": round(time.monotonic() - t0, 1),
              "figures": rows, "failed": failed}
    with open(args.json, "w") as f:
        json.dump(report, f, indent=1)
    print()
    print(table(rows))
    print(f"\n{machine()}; {'quick' if args.quick else 'full'} run in {report['seconds']:.0f} s; JSON: {args.json}")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        sys.exit(1)


def table(rows) -> str:
    """The figures as a Markdown table (what the README shows)."""
    out = ["| group | figure | median | p99 | baseline (same run) | ratio | target |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            out.append(f"| {r['group']} | {r['figure']} | not measured: {r['error']} | | | | |")
            continue
        base = f"{r['baseline']}: {fmt(r['baseline_median'], r['unit'])}" if "baseline" in r else "-"
        ratio = f"x{r['ratio']:.2f}" if r.get("ratio") is not None else "-"
        p99 = fmt(r["p99"], r["unit"]) if "p99" in r else "-"
        out.append(f"| {r['group']} | {r['figure']} | {fmt(r['median'], r['unit'])} | {p99} | {base} | {ratio} | "
                   f"{r.get('target') or '-'} |")
    return "\n".join(out)


if __name__ == "__main__":
    main()
