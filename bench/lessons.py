#!/usr/bin/env python3
"""The lessons' size, and how long a newcomer following the text might take: a model, not a stopwatch.

How it is estimated (the lesson files are only read: no cluster, no sandbox):
1. Every lesson folder is loaded as k8slab loads it. Per lesson: its steps; its checks (an `any`
   check counts once); the words a learner reads (each step's Markdown and its `explain`; hints,
   solutions and the `why` of checks are not counted, since a newcomer who follows the text may
   never see them); the commands listed under `try` (a heredoc, manifest included, is one command)
   and their characters; the author's `minutes`.
2. A newcomer's time = reading the words at WPM words per minute + typing the `try` commands at
   CPS characters per second + READ_OUTPUT seconds per command to read what it printed + THINK
   seconds per step to decide what to do. A second figure, "pasted", types only the first line of a
   heredoc (`kubectl apply -f - <<EOF`) and pastes the manifest, as the lessons suggest.
   Prints one row per lesson and a total row; no assertion.

    .venv/bin/python bench/lessons.py [--lessons DIR] [--wpm 200] [--cps 3] [--read-output 20] [--think 30]
"""

from __future__ import annotations

import argparse
import os
import re

from common import REPO  # noqa: E402 - bench/ is the script directory

WORD = re.compile(r"[A-Za-z0-9]")


def words(text: str) -> int:
    """Whitespace-separated tokens with a letter or a digit in them (Markdown marks are not words)."""
    return sum(1 for token in text.split() if WORD.search(token))


def checks(step) -> int:
    return len(step.checks)


def figures(lesson, args) -> dict:
    steps = lesson.steps
    read = sum(words(s.text) + words(s.explain) for s in steps)
    commands = [c for s in steps for c in s.try_commands]
    chars = sum(len(c) for c in commands)
    typed = sum(len(c.splitlines()[0]) if c.strip() else 0 for c in commands)  # the rest is pasted
    fixed = read / args.wpm * 60 + len(commands) * args.read_output + len(steps) * args.think
    return {"steps": len(steps), "checks": sum(checks(s) for s in steps), "words": read,
            "commands": len(commands), "chars": chars, "minutes": lesson.minutes,
            "estimate": (fixed + chars / args.cps) / 60, "pasted": (fixed + typed / args.cps) / 60}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lessons", default=os.path.join(REPO, "lessons"), help="a folder of lesson folders")
    ap.add_argument("--wpm", type=float, default=200, help="reading speed, words per minute")
    ap.add_argument("--cps", type=float, default=3, help="typing speed, characters per second")
    ap.add_argument("--read-output", type=float, default=20, help="seconds to read a command's output")
    ap.add_argument("--think", type=float, default=30, help="seconds to think, per step")
    args = ap.parse_args()

    from k8slab.learning.model import load_lessons

    lessons, problems = load_lessons([args.lessons])
    for problem in problems:
        print(f"problem: {problem}")
    print(f"{len(lessons)} lessons in {os.path.relpath(args.lessons)}/ (the files only, no cluster)")
    print(f"model: reading {args.wpm:g} words/min (step text + explain; hints, solutions and `why` not counted), "
          f"typing the `try` commands at {args.cps:g} chars/s, {args.read_output:g} s per command to read its "
          f"output, {args.think:g} s per step to think")
    print("  estimate: every `try` character typed; pasted: a heredoc's manifest pasted, its first line typed")
    print(f"  {'lesson':<32} {'steps':>5} {'checks':>6} {'words':>6} {'try':>4} {'chars':>6} {'author':>7}"
          f" {'estimate':>9} {'pasted':>8}")
    total = {"steps": 0, "checks": 0, "words": 0, "commands": 0, "chars": 0, "minutes": 0, "estimate": 0.0,
             "pasted": 0.0}
    for lesson in lessons:
        f = figures(lesson, args)
        for key in total:
            total[key] += f[key]
        name = f"{os.path.basename(lesson.path)[:2]} {lesson.id}"
        print(f"  {name:<32} {f['steps']:>5} {f['checks']:>6} {f['words']:>6} {f['commands']:>4} {f['chars']:>6}"
              f" {f['minutes']:>5} m {f['estimate']:>7.1f} m {f['pasted']:>6.1f} m")
    print(f"  {'total':<32} {total['steps']:>5} {total['checks']:>6} {total['words']:>6} {total['commands']:>4}"
          f" {total['chars']:>6} {total['minutes']:>5} m {total['estimate']:>7.1f} m {total['pasted']:>6.1f} m")


if __name__ == "__main__":
    main()
