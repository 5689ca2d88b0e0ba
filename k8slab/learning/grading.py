"""Grading a lab: each task's checks (with the evidence they saw), answers, hint costs and the score.

Like a lesson's checks, grading needs nothing but a way to run a k8slab command line; every command a
check runs, and what it printed, is kept as the task's evidence for the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from k8slab.learning.checks import Run, run_check
from k8slab.learning.labmodel import Lab, Task

EVIDENCE_LIMIT = 600  # characters of a command's output kept in a report


@dataclass
class Evidence:
    """One command a check ran, its exit code and (the start of) what it printed."""

    command: str
    exit: int
    output: str


@dataclass
class CheckResult:
    """A check's verdict and the commands behind it."""

    ok: bool
    message: str = ""
    why: str = ""
    evidence: List[Evidence] = field(default_factory=list)


@dataclass
class TaskResult:
    """A task's outcome: passed or not, points earned after hint costs, and its checks."""

    id: str
    title: str
    points: int
    passed: bool
    earned: int
    hints_taken: int
    hint_cost: int
    checks: List[CheckResult]
    answer: Optional[str] = None
    fixes: str = ""


def hint_cost(task: Task, taken: int) -> int:
    """What the first `taken` hints of a task cost."""
    return sum(h.cost for h in task.hints[:max(0, taken)])


def grade(lab: Lab, run: Run, messages: Dict[str, str], answers: Dict[str, str],
          hints: Dict[str, int]) -> List[TaskResult]:
    """Every task of the lab, judged now; a task's checks stop at its first failure."""
    results = []
    for task in lab.tasks:
        taken = int(hints.get(task.id, 0))
        cost = hint_cost(task, taken)
        if task.is_question:
            checks = [judge_answer(task, answers.get(task.id), run, messages)]
        else:
            checks = []
            for check in task.checks:
                seen: List[Evidence] = []
                verdict = run_check(check, _recording(run, seen), messages)
                checks.append(CheckResult(verdict.ok, verdict.message, verdict.why, _distinct(seen)))
                if not verdict.ok:
                    break
        passed = all(c.ok for c in checks)
        results.append(TaskResult(id=task.id, title=task.title, points=task.points, passed=passed,
                                  earned=max(0, task.points - cost) if passed else 0, hints_taken=taken,
                                  hint_cost=cost, checks=checks, answer=answers.get(task.id), fixes=task.fixes))
    return results


def judge_answer(task: Task, given: Optional[str], run: Run, messages: Dict[str, str]) -> CheckResult:
    """A question task: the student's answer against the expected one."""
    if given is None or not given.strip():
        return CheckResult(False, messages.get("answer.missing", "answer.missing").format(task=task.id))
    given = given.strip()
    seen: List[Evidence] = []
    if "equals" in task.answer:
        ok = given.casefold() == task.answer["equals"].casefold()
    elif "matches" in task.answer:
        ok = re.fullmatch(task.answer["matches"], given, re.I) is not None
    else:
        code, out = _recording(run, seen)(task.answer["command"])
        ok = code == 0 and given == out.strip()
    message = "" if ok else messages.get("answer.wrong", "answer.wrong").format(task=task.id, found=given)
    return CheckResult(ok, message, "", seen)


def score(results: List[TaskResult]) -> int:
    """The points earned."""
    return sum(r.earned for r in results)


def _distinct(seen: List[Evidence]) -> List[Evidence]:
    """The evidence without repeats: a check retried `within` N seconds ran the same commands again and again."""
    out: List[Evidence] = []
    for ev in seen:
        if ev in out:
            out.remove(ev)  # keep the latest, in the order last seen
        out.append(ev)
    return out


def _recording(run: Run, seen: List[Evidence]) -> Run:
    def recorded(line: str):
        code, out = run(line)
        text = out.strip()
        if len(text) > EVIDENCE_LIMIT:
            text = text[:EVIDENCE_LIMIT] + " ..."
        seen.append(Evidence(line, code, text))
        return code, out

    return recorded
