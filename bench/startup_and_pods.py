#!/usr/bin/env python3
"""Time from `k8slab` to a ready prompt, and for 50 pods to become Ready.

How it is measured: pexpect starts the real k8slab REPL in a pseudo-terminal (as an interactive
learner would) and times (1) from spawning the process until the `k8slab> ` prompt is drawn, and
(2) from sending `kubectl apply -f` of 50 pods until `kubectl wait --for=condition=Ready pod --all`
returns its prompt. Medians of RUNS runs; each run is a fresh sandbox. Prints figures only.

    .venv/bin/python bench/startup_and_pods.py [--runs 3] [--pods 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import pexpect

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROMPT = "k8slab>"


def manifest(n: int, image: str, command: str) -> str:
    """A List of n pods."""
    docs = []
    for i in range(n):
        docs.append(f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  labels: {{bench: x}}\nspec:\n"
                    f"  containers:\n  - name: c\n    image: {image}\n" + (f"    command: {command}\n" if command else ""))
    return "---\n".join(docs)


def one_run(pods: int, image: str, command: str, path: str) -> tuple:
    env = {**os.environ, "PYTHONPATH": REPO, "TERM": "dumb", "PROMPT_TOOLKIT_NO_CPR": "1",
           "XDG_STATE_HOME": tempfile.gettempdir()}
    t0 = time.monotonic()
    child = pexpect.spawn(sys.executable, ["-m", "k8slab.app"], env=env, encoding="utf-8", timeout=120,
                          dimensions=(40, 160), cwd=REPO)
    child.expect_exact(PROMPT)
    ready = time.monotonic() - t0
    t1 = time.monotonic()
    child.sendline(f"kubectl apply -f {path}")
    child.expect_exact(PROMPT)
    child.sendline("kubectl wait --for=condition=Ready pod --all --timeout=120s")
    child.expect("condition met")
    child.expect_exact(PROMPT)
    pods_ready = time.monotonic() - t1
    child.sendline("exit")
    child.expect(pexpect.EOF)
    return ready, pods_ready


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pods", type=int, default=50)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, uid {os.getuid()} ({'root' if os.getuid() == 0 else 'rootless'} sandbox)")
    for label, image, command in (("busybox sleep", "busybox", '["sleep", "3600"]'), ("nginx (HTTP server)", "nginx", "")):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(manifest(args.pods, image, command))
        os.chmod(f.name, 0o644)
        results = [one_run(args.pods, image, command, f.name) for _ in range(args.runs)]
        os.unlink(f.name)
        starts = [r[0] for r in results]
        readies = [r[1] for r in results]
        print(f"command -> prompt ready (3 nodes):  median {statistics.median(starts):.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in starts)}; target <= 1.5 s)")
        print(f"{args.pods} pods {label} -> Ready:  median {statistics.median(readies):.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in readies)}; target <= 3 s)")


if __name__ == "__main__":
    main()
