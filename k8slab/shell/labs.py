"""The student's lab commands: lab list|start|status|hint|answer|submit|stop, the clock and the toolbar."""

from __future__ import annotations

import argparse
import os
import time
from typing import Iterator, Optional

from k8slab import __version__
from k8slab.errors import UserError
from k8slab.learning import attempt as attempts
from k8slab.learning import reports, submission
from k8slab.learning.attempt import Attempt
from k8slab.learning.labmodel import Lab, LabError, find, read_lab, render
from k8slab.shell import labrun
from k8slab.shell.results import Result
from k8slab.views import labviews

SUBMIT_ROOT = "k8slab-labs"  # where `lab submit` writes, under the current directory
USAGE = "error: usage: lab list | start N [--student NAME] [--code CODE] | status | hint TASK | " \
        "answer TASK TEXT | submit [DIR] | stop | resume"


def _color(session) -> bool:
    return session.printer.colored if session.printer is not None else False


def _hook(session) -> None:
    """Once per session: the toolbar's lab part, the history, and the time limit."""
    if getattr(session, "_lab_hooked", False):
        return
    session._lab_hooked = True
    session.status_providers.append(lambda: status_line(session))
    session.before_command.append(lambda line: _deadline(session, line))
    session.after_command.append(lambda line, result: _record(session, line))


def _active(session) -> Optional[Attempt]:
    attempt = getattr(session, "attempt", None)
    return attempt if attempt is not None and attempt.ended is None else None


def _running(session) -> Attempt:
    attempt = _active(session)
    if attempt is None:
        raise UserError("error: no lab is running: `lab list` shows them, `lab start N` starts one")
    return attempt


def lab_command(session, words, stdin) -> Result:
    """lab list | start N | status | hint TASK | answer TASK TEXT | submit [DIR] | stop"""
    _hook(session)
    verb = words[0] if words else "status"
    if verb == "list":
        return _list(session)
    if verb == "start":
        return _stream(_start(session, words[1:]))
    if verb == "answer":
        return _answer(session, words[1:])
    if verb == "status":
        return _stream(_status(session))
    if verb == "hint":
        return _hint(session, words[1:])
    if verb == "submit":
        return _stream(submit(session, words[1] if len(words) > 1 else None))
    if verb == "resume":
        return _stream(_resume(session))
    if verb == "stop":
        _running(session)
        session.attempt.ended = time.time()
        attempts.save(session.attempt)
        session.attempt = None
        return Result().say("Lab stopped without submitting; `lab start N` starts it again (from the beginning).")
    raise UserError(USAGE)


def _list(session) -> Result:
    found, problems = labrun.sources(session.lab_dirs)
    rows = []
    for source in found:
        lab = render(source, "student")
        rows.append((os.path.basename(source.path)[:2], lab.id, lab.title, lab.kind, len(lab.tasks), lab.max_score,
                     lab.time_limit))
    result = Result().say(labviews.lab_list(rows, color=_color(session)))
    for problem in problems:
        result.warn(f"warning: {problem}")
    return result


def _start_args(words) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lab start", add_help=False, exit_on_error=False)
    parser.add_argument("lab")
    parser.add_argument("--student", default=os.environ.get("K8SLAB_STUDENT") or _login())
    parser.add_argument("--code", default=os.environ.get("K8SLAB_LAB_CODE") or "")
    try:
        args, extra = parser.parse_known_args(words)
    except (argparse.ArgumentError, SystemExit):
        raise UserError("error: usage: lab start N [--student NAME] [--code CODE]  (see `lab list`)")
    if extra:
        raise UserError(f"error: unexpected arguments: {' '.join(extra)} (usage: lab start N [--student NAME] "
                        "[--code CODE])")
    if not args.student.strip():
        raise UserError("error: --student needs your name")
    return args


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "student"


def load(session, ref: str, student: str) -> Lab:
    """The lab `ref` (number, id or folder) as `student` gets it."""
    found, _ = labrun.sources(session.lab_dirs)
    source = find(found, ref)
    if source is None and os.path.exists(os.path.join(ref, "lab.yaml")):
        source = read_lab(ref)
    if source is None:
        raise UserError(f'error: no lab "{ref}": `lab list` shows them')
    try:
        return render(source, student)
    except LabError as e:
        raise UserError("error: the lab has problems:\n" + "\n".join(e.problems))


def _start(session, words) -> Iterator:
    args = _start_args(words)
    if _active(session) is not None:
        raise UserError("error: a lab is running: `lab submit` hands it in, `lab stop` abandons it")
    lab = load(session, args.lab, args.student.strip())
    tutor = getattr(session, "tutor", None)
    if tutor is not None and tutor.lesson is not None:
        tutor.stop()  # a lab resets the cluster: the lesson's progress stays saved for `lesson resume`
        yield "err", "(the running lesson is stopped; `lesson resume` picks it up later)"
    yield "err", (f"Setting up lab {lab.id} for {lab.student}: your own variant, with whatever is wrong in it "
                  "already in place ...")
    labrun.prepare(session, lab)
    session.lab = lab
    session.attempt = Attempt(lab=lab.id, path=lab.path, student=lab.student, code=args.code.strip())
    session.attempt.state = labrun.state_text(session)
    attempts.save(session.attempt)
    yield "out", labviews.lab_intro(lab, color=_color(session), width=_width())
    yield "out", labviews.lab_tasks(lab, session.attempt, None, color=_color(session), width=_width())
    if not args.code:
        yield "err", "note: without --code your report is not signed; if you were given a code, use\n" \
                     "      `lab stop` and `lab start ... --code CODE`."


def _width() -> int:
    import shutil

    return min(shutil.get_terminal_size((100, 40)).columns, 140)


def _status(session) -> Iterator:
    attempt = _running(session)
    lab = session.lab
    results = None
    if lab.feedback:
        yield "err", f"Checking the {len(lab.tasks)} tasks against your cluster ..."
        results = labrun.grade_here(session, lab, labrun.messages(session.lab_dirs), attempt.answers,
                                    attempt.hints)
        attempt.score, attempt.scored_at = sum(r.earned for r in results), time.time()
        attempts.save(attempt)
    yield "out", labviews.lab_tasks(lab, attempt, results, color=_color(session), width=_width())


def _task(session, ref: str):
    task = session.lab.task(ref)
    if task is None:
        ids = ", ".join(t.id for t in session.lab.tasks)
        raise UserError(f'error: no task "{ref}" in this lab (tasks: {ids}, or their numbers)')
    return task


def _hint(session, words) -> Result:
    attempt = _running(session)
    if len(words) != 1:
        raise UserError("error: usage: lab hint TASK  (the task's id or number; `lab status` lists them)")
    task = _task(session, words[0])
    taken = attempt.hints.get(task.id, 0)
    if taken >= len(task.hints):
        raise UserError(f"error: task {task.id} has no more hints ({len(task.hints)} taken)")
    attempt.hints[task.id] = taken + 1
    attempts.save(attempt)
    hint = task.hints[taken]
    return Result().say(labviews.lab_hint(task, taken + 1, hint, color=_color(session), width=_width()))


def _answer(session, words) -> Result:
    attempt = _running(session)
    if len(words) < 2:
        raise UserError("error: usage: lab answer TASK TEXT")
    task = _task(session, words[0])
    if not task.is_question:
        raise UserError(f"error: task {task.id} is done in the cluster, not answered: `lab status` says what it asks")
    attempt.answers[task.id] = " ".join(words[1:]).strip()
    attempts.save(attempt)
    return Result().say(f"Answer to {task.id} recorded: {attempt.answers[task.id]} (the last answer counts)")


def submit(session, folder: Optional[str]) -> Iterator:
    """Grade the lab here and now, and write the submission folder with its signed report."""
    attempt = _running(session)
    lab = session.lab
    yield "err", "Grading your cluster as it is now (every task's checks) ..."
    results = labrun.grade_here(session, lab, labrun.messages(session.lab_dirs), attempt.answers, attempt.hints)
    attempt.ended = time.time()
    report = reports.build(lab, results, started=attempt.started, ended=attempt.ended, graded_by="student",
                           answers=attempt.answers, version=__version__)
    if attempt.code:
        report = reports.sign(report, attempt.code)
    folder = folder or os.path.join(SUBMIT_ROOT, f"{lab.id}-{lab.student}")
    meta = {"lab": lab.id, "student": lab.student, "started": attempt.started, "ended": attempt.ended,
            "hints": dict(attempt.hints), "answers": dict(attempt.answers), "k8slab": __version__}
    try:
        submission.write(folder, meta, labrun.state_text(session), attempt.history)
        reports.save(os.path.join(folder, "report.json"), report)
        with open(os.path.join(folder, "report.md"), "w", encoding="utf-8") as f:
            f.write(labviews.report_markdown(report))
    except OSError as e:
        attempt.ended = None  # nothing was handed in: the lab goes on
        raise UserError(f"error: cannot write the submission to {folder}: {e.strerror}")
    attempts.save(attempt)
    yield "out", labviews.submitted(report, folder, color=_color(session), width=_width())


def _deadline(session, line: str) -> Optional[Result]:
    """Before a command: a lab whose time is up is submitted as it is."""
    attempt = _active(session)
    if attempt is None or not attempt.over_time(session.lab):
        return None
    result = Result().say("Time is up: your lab is being submitted as it is now.")
    try:
        for kind, text in submit(session, None):
            result.lines.append((kind, text.rstrip("\n")))
    except UserError as e:
        result.fail(str(e), e.exit_code)
    return result


def _record(session, line: str) -> None:
    """After a command: keep it for the instructor's history, and the cluster's state for `lab resume`."""
    attempt = _active(session)
    if attempt is not None and line.strip():
        attempt.history.append(f"{time.strftime('%H:%M:%S')} {line.strip()}")
        attempt.state = labrun.state_text(session)
        attempts.save(attempt)
    return None


def resume_offer(session) -> Optional[str]:
    """The line offering to resume a lab that a crash or an exit interrupted, if there is one."""
    saved = attempts.load()
    if saved is None or saved.ended is not None:
        return None
    return (f"You were doing lab {saved.lab} as {saved.student} (its clock is still running): "
            "`lab resume` rebuilds your cluster as you left it.")


def _resume(session) -> Iterator:
    from k8slab.learning.submission import Submission

    if _active(session) is not None:
        raise UserError("error: a lab is running already")
    saved = attempts.load()
    if saved is None or saved.ended is not None:
        raise UserError("error: there is no lab to resume: `lab list` shows them")
    lab = load(session, saved.path, saved.student)
    yield "err", f"Rebuilding lab {lab.id} for {lab.student} as you left it ..."
    if not session.cluster.reset():
        raise UserError("error: the cluster took too long to reset; try `lab resume` again")
    labrun.replay(session, lab, Submission(folder="(saved)", student=lab.student, lab=lab.id, state=saved.state))
    session.lab, session.attempt = lab, saved
    yield "out", labviews.lab_tasks(lab, saved, None, color=_color(session), width=_width())


def status_line(session) -> str:
    """The toolbar's words for the running lab ('' when none)."""
    attempt = _active(session)
    if attempt is None:
        return ""
    return labviews.toolbar_text(session.lab, attempt, time.time())


def _stream(chunks: Iterator) -> Result:
    result = Result()

    def tracked():
        try:
            for kind, text in chunks:
                yield kind, text if text.endswith("\n") else text + "\n"
        except UserError as e:
            result.exit_code = e.exit_code
            yield "error", str(e) + "\n"

    result.stream = tracked()
    return result

