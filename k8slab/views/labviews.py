"""Labs on the terminal and on paper: the list, the scenario, the tasks, reports and the class summary."""

from __future__ import annotations

import re
from typing import List, Optional

from rich.console import Group
from rich.markdown import Markdown
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from k8slab.views.lessonviews import _render

KIND_NAMES = {"troubleshooting": "troubleshoot", "build": "build", "exam": "exam"}


def lab_list(rows, *, color: bool) -> str:
    """`lab list`: number, id, title, kind, tasks, points and time limit of each lab."""
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    for name in ("#", "LAB", "TITLE", "KIND", "TASKS", "POINTS", "TIME LIMIT"):
        table.add_column(name, no_wrap=name != "TITLE")
    for number, lab_id, title, kind, tasks, points, limit in rows:
        table.add_row(number, lab_id, title, KIND_NAMES.get(kind, kind), str(tasks), str(points),
                      f"{limit} min" if limit else "-")
    return _render(table, color, 120)


def lab_intro(lab, *, color: bool, width: int) -> str:
    """The scenario, under a rule naming the lab and the student."""
    limit = f", {lab.time_limit} minutes" if lab.time_limit else ""
    heading = f"Lab {lab.id}: {lab.title} ({KIND_NAMES.get(lab.kind, lab.kind)}{limit}) · {lab.student}"
    return _render(Group(Rule(Text(heading, style="bold"), align="left", style="cyan"), Markdown(lab.intro)),
                   color, width)


def clock(seconds: float) -> str:
    """12:05 (or 1:02:05)."""
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _time(lab, attempt, now: float) -> str:
    left = attempt.time_left(lab, now)
    if left is not None:
        return f"{clock(left)} left"
    return f"{clock(now - attempt.started)} spent"


def lab_tasks(lab, attempt, results, *, color: bool, width: int) -> str:
    """The tasks with their points; done or not when `results` are given (not in an exam)."""
    import time

    from k8slab.learning.grading import hint_cost

    by_id = {r.id: r for r in results or ()}
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    for name in ("#", "TASK", "POINTS", "HINTS", "STATUS" if results is not None else ""):
        table.add_column(name, no_wrap=name not in ("TASK",))
    for i, task in enumerate(lab.tasks, 1):
        taken = attempt.hints.get(task.id, 0)
        hints = f"{taken}/{len(task.hints)} (-{hint_cost(task, taken)})" if taken else f"0/{len(task.hints)}"
        title = Text(task.title)
        title.append(f"  [{task.id}]", style="dim")
        if task.is_question:
            answer = attempt.answers.get(task.id)
            title.append(f"\n  answer: {answer}" if answer else "\n  (answer with: lab answer "
                         f"{task.id} TEXT)", style="italic")
        if task.text:  # a paragraph the author wrapped by hand: let the terminal wrap it
            title.append("\n" + re.sub(r"(?<!\n)\n(?!\n)", " ", task.text), style="")
        status = Text("")
        if task.id in by_id:
            status = Text("✔ done", style="bold green") if by_id[task.id].passed else Text("· not yet", style="yellow")
        table.add_row(str(i), title, str(task.points), hints, status)
    parts = [table]
    footer = Text(f"\n{_time(lab, attempt, time.time())}", style="bold")
    if results is not None:
        footer.append(f" · score now {sum(r.earned for r in results)}/{lab.max_score}")
    else:
        footer.append(f" · {lab.max_score} points" + (" · results after you submit" if not lab.feedback else ""))
    footer.append("\n`lab status` again, `lab hint TASK` (costs points), `lab answer TASK TEXT`, `lab submit`.",
                  style="dim")
    parts.append(footer)
    return _render(Group(*parts), color, width)


def lab_hint(task, n: int, hint, *, color: bool, width: int) -> str:
    """One hint, with what it cost."""
    heading = Text(f"Hint {n} of {len(task.hints)} for {task.id} (-{hint.cost} point{'s' if hint.cost != 1 else ''}):",
                   style="bold")
    return _render(Group(heading, Markdown(hint.text)), color, width)


def toolbar_text(lab, attempt, now: float) -> str:
    """The toolbar's words: lab, time, points lost to hints, last score."""
    from k8slab.learning.grading import hint_cost

    parts = [f"lab {lab.id}", _time(lab, attempt, now)]
    cost = sum(hint_cost(t, attempt.hints.get(t.id, 0)) for t in lab.tasks)
    if cost:
        parts.append(f"hints -{cost}")
    if attempt.score is not None and lab.feedback:
        parts.append(f"score {attempt.score}/{lab.max_score}")
    return " · ".join(parts)


def submitted(report: dict, folder: str, *, color: bool, width: int) -> str:
    """What `lab submit` says: the score, each task, and where the files are."""
    lines = [Text(f"Submitted: {report['score']}/{report['max_score']} points in {clock(report['seconds'])}",
                  style="bold green")]
    for task in report["tasks"]:
        mark = Text("✔ ", style="green") if task["passed"] else Text("✘ ", style="red")
        mark.append(f"{task['id']}: {task['earned']}/{task['points']}")
        if task["hint_cost"]:
            mark.append(f" (hints -{task['hint_cost']})", style="dim")
        lines.append(mark)
    signed = "signed" if report.get("signature") else "NOT signed (no --code)"
    lines.append(Text(f"Written to {folder}/ (report.json, {signed}; report.md; state.yaml; history.txt). "
                      "Hand in that folder.", style="dim"))
    return _render(Group(*lines), color, width)


def report_markdown(report: dict) -> str:
    """A report as Markdown, for the student and the instructor to read."""
    out = [f"# {report['lab']['title']}: {report['student']}", "",
           f"- Lab: `{report['lab']['id']}` ({report['lab']['kind']})",
           f"- Score: **{report['score']} / {report['max_score']}**",
           f"- Time: {clock(report['seconds'])}" + (" (over the time limit)" if report.get("over_time") else ""),
           f"- Started {report['started']}, ended {report['ended']}; graded by {report['graded_by']}",
           f"- Signed: {'yes' if report.get('signature') else 'no'}", "",
           "| # | task | points | earned | hints |", "|---|---|---|---|---|"]
    for i, task in enumerate(report["tasks"], 1):
        out.append(f"| {i} | {_cell(task['title'])} | {task['points']} | {task['earned']} | "
                   f"{task['hints_taken']} (-{task['hint_cost']}) |")
    for task in report["tasks"]:
        out += ["", f"## {'✔' if task['passed'] else '✘'} {task['id']}: {task['title']}"]
        if task.get("answer") is not None:
            out.append(f"Answer given: `{task['answer']}`")
        for check in task["checks"]:
            if not check["ok"]:
                out.append(f"- **Failed**: {check['message']}" + (f" {check['why']}" if check.get("why") else ""))
            else:
                out.append("- Passed.")
            for ev in check.get("evidence", []):
                out += [f"  - `{ev['command']}` (exit {ev['exit']})", "", _indent_block(ev["output"]), ""]
    return "\n".join(out).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _indent_block(text: str) -> str:
    body = text if text.strip() else "(no output)"
    return "\n".join("    " + line for line in ["```", *body.splitlines(), "```"])


def summary_markdown(lab_title: str, rows: List[dict], tasks: List[dict], notes: List[str],
                     wall: Optional[float] = None) -> str:
    """The class summary: each student's score, each task's success rate, the common mistakes."""
    out = [f"# Class summary: {lab_title}", ""]
    if rows:
        scores = [r["score"] for r in rows]
        top = rows[0]["max"]
        out += [f"{len(rows)} students; mean {sum(scores) / len(scores):.1f} / {top}, "
                f"median {sorted(scores)[len(scores) // 2]}, full marks {sum(1 for s in scores if s == top)}"
                + (f"; graded in {wall:.0f} s" if wall is not None else ""), ""]
    out += ["| student | score | % | time | report |", "|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {_cell(str(r['student']))} | {r['score']} / {r['max']} | {r['percent']} | "
                   f"{clock(r['seconds'] or 0)}{' (over)' if r.get('over_time') else ''} | {r.get('signature', '')} |")
    out += ["", "## Tasks", "", "| task | points | passed | hints taken | fixes |", "|---|---|---|---|---|"]
    for t in tasks:
        rate = f"{t['passed']}/{t['graded']} ({round(100 * t['passed'] / t['graded']) if t['graded'] else 0}%)"
        out.append(f"| {_cell(t['title'])} | {t['points']} | {rate} | {t['hints']} | {_cell(t.get('fixes') or '')} |")
    out += ["", "## Common mistakes", ""]
    any_mistakes = False
    for t in tasks:
        for what, count in t["mistakes"][:3]:
            any_mistakes = True
            out.append(f"- **{t['id']}** ({count} student{'s' if count != 1 else ''}): {what}")
    if not any_mistakes:
        out.append("None: every student passed every task.")
    if notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(out) + "\n"
