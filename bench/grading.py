"""Grading a class: `k8slab lab grade` on N submissions of one lab; wall time and peak memory.

Submissions are made first (not timed with the grading): a third are reference solutions (`lab
solution`), a third are empty folders (nothing done), and a third are a solution copied into another
student's folder (a variant that is not theirs). The grading is then timed as an instructor runs it,
while the memory of the grader and every replay under it (each its own sandbox and cluster) is
sampled from /proc five times a second; the peak of that sum is reported.

    python3 bench/grading.py [--lab labs/01-...] [--students 30] [--jobs N]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from common import REPO, tree_rss


def k8slab(*args, cwd=None):
    env = {**os.environ, "PYTHONPATH": REPO, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "k8slab", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=900)


def make_submissions(lab: str, n: int, root: str, jobs: int) -> None:
    solved = [f"s{i:02d}" for i in range(0, n, 3)]
    empty = [f"s{i:02d}" for i in range(1, n, 3)]
    copied = [f"s{i:02d}" for i in range(2, n, 3)]

    def solve(student):
        done = k8slab("lab", "solution", lab, "--student", student, "--out", os.path.join(root, student))
        if done.returncode:
            raise SystemExit(f"lab solution failed for {student}:\n{done.stderr}")

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(solve, solved))
    for student in empty:
        os.makedirs(os.path.join(root, student))
    for i, student in enumerate(copied):
        source = os.path.join(root, solved[i % len(solved)])
        shutil.copytree(source, os.path.join(root, student))
        meta = os.path.join(root, student, "submission.yaml")
        with open(meta) as f:
            text = f.read()
        with open(meta, "w") as f:
            f.write(text.replace(f"student: {solved[i % len(solved)]}", f"student: {student}"))


def main() -> None:
    labs = sorted(os.path.join(REPO, "labs", d) for d in os.listdir(os.path.join(REPO, "labs")) if d[:2].isdigit())
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lab", default=labs[0] if labs else None)
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--jobs", type=int, default=None, help="replays at once (default: the grader's own default)")
    args = p.parse_args()
    print(f"machine: {os.cpu_count()} cores; lab {os.path.relpath(args.lab, REPO)}; {args.students} submissions")
    with tempfile.TemporaryDirectory(prefix="k8slab-bench-grading-") as tmp:
        subs = os.path.join(tmp, "subs")
        os.makedirs(subs)
        t0 = time.monotonic()
        make_submissions(args.lab, args.students, subs, jobs=3)
        print(f"made {args.students} submissions (1/3 solved, 1/3 empty, 1/3 copied from another student) "
              f"in {time.monotonic() - t0:.1f} s")
        out = os.path.join(tmp, "graded")
        argv = [sys.executable, "-m", "k8slab", "lab", "grade", args.lab, "--submissions", subs, "--out", out]
        if args.jobs:
            argv += ["--jobs", str(args.jobs)]
        peak, peak_procs = [0], [0]
        t0 = time.monotonic()
        grader = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  env={**os.environ, "PYTHONPATH": REPO, "NO_COLOR": "1"})
        done = threading.Event()

        def sample():
            while not done.is_set():
                rss, procs = tree_rss(grader.pid)
                peak[0], peak_procs[0] = max(peak[0], rss), max(peak_procs[0], procs)
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        output = grader.communicate()[0]
        wall = time.monotonic() - t0
        done.set()
        sampler.join()
        last = output.strip().splitlines()[-1] if output.strip() else ""
        with open(os.path.join(out, "summary.csv")) as f:
            scores = sorted(int(r["score"]) for r in csv.DictReader(f))
        print(f"grader: {last}")
        print(f"wall time: {wall:.1f} s for {args.students} submissions ({wall / args.students:.2f} s each); "
              f"exit {grader.returncode}")
        print(f"peak memory (grader + all replays): {peak[0] / 2**20:.0f} MiB; peak processes {peak_procs[0]}")
        print(f"scores: min {scores[0]}, median {scores[len(scores) // 2]}, max {scores[-1]}")


if __name__ == "__main__":
    main()
