"""The instructor's lab tools: `k8slab lab validate|check|solution|grade|key` (grading a class and the
gradebook are in k8slab.grader). `k8slab lab replay JOB` is what each of `lab grade`'s replays runs; it
is not meant for people.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from typing import Callable, List

from k8slab import __version__
from k8slab.errors import UserError
from k8slab.learning import reports, submission
from k8slab.learning.labmodel import LabError, LabSource, find, read_lab, render, validate

def parser() -> argparse.ArgumentParser:
    """`k8slab lab ...`"""
    p = argparse.ArgumentParser(prog="k8slab lab", description="Classroom labs for instructors (see docs/labs.md).")
    p.add_argument("--labs", action="append", default=[], metavar="DIR", help="also look for labs in DIR")
    sub = p.add_subparsers(dest="verb", required=True, metavar="validate|check|solution|grade|key")
    v = sub.add_parser("validate", help="every problem of lab folders, by file and field")
    v.add_argument("paths", nargs="+", metavar="PATH")
    c = sub.add_parser("check", help="play labs: untouched must score 0, the reference solution full marks")
    c.add_argument("labs", nargs="+", metavar="LAB")
    c.add_argument("--students", default="alice,bob", help="whose variants to play (comma-separated)")
    s = sub.add_parser("solution", help="write the reference solution as a student's submission")
    s.add_argument("lab", metavar="LAB")
    s.add_argument("--student", required=True)
    s.add_argument("--out", required=True, metavar="DIR")
    s.add_argument("--key", metavar="FILE", help="sign with the student's code derived from this key")
    g = sub.add_parser("grade", help="replay every submission in DIR in fresh clusters; a report each and a summary")
    g.add_argument("lab", metavar="LAB")
    g.add_argument("--submissions", required=True, metavar="DIR", help="one folder per student")
    g.add_argument("--key", metavar="FILE", help="the instructor's key: verify the students' own reports")
    g.add_argument("--jobs", type=int, default=None, metavar="N", help="replays at once (default: cores + 2, at most 4)")
    g.add_argument("--out", metavar="DIR", help="where reports and the summary go (default: graded-LAB)")
    r = sub.add_parser("replay", help=argparse.SUPPRESS)
    r.add_argument("job")
    k = sub.add_parser("key", help="`key new FILE`: a new instructor key; `key codes --key FILE NAME...`: students' codes")
    k.add_argument("what", choices=["new", "codes"])
    k.add_argument("names", nargs="*")
    k.add_argument("--key", metavar="FILE")
    return p


def main(argv: List[str], in_sandbox: Callable) -> int:
    """Run `k8slab lab ARGS`; `in_sandbox(fn)` runs fn(session) in a fresh cluster."""
    p = parser()
    args, extra = p.parse_known_args(argv)
    if extra and args.verb == "key" and not any(e.startswith("-") for e in extra):
        args.names += extra  # `key codes --key FILE alice bob`: names after the option
    elif extra:
        p.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.verb == "validate":
        return _validate(args.paths)
    if args.verb == "key":
        return _key(args)
    if args.verb == "grade":
        from k8slab import grader

        return grader.grade(args)
    if args.verb == "check":
        sources = [_source(ref, args.labs) for ref in args.labs]
        students = [s.strip() for s in args.students.split(",") if s.strip()]
        return in_sandbox(lambda session: _check(session, sources, students, args.labs))
    if args.verb == "solution":
        source = _source(args.lab, args.labs)
        code = reports.student_code(_key_bytes(args.key), args.student) if args.key else ""
        return in_sandbox(lambda session: _solution(session, source, args.student, args.out, code, args.labs))
    if args.verb == "replay":
        return in_sandbox(lambda session: _replay(session, args.job))
    raise UserError(f"error: unknown lab command {args.verb}")


def _source(ref: str, extra: List[str]) -> LabSource:
    from k8slab.shell import labrun

    if os.path.exists(os.path.join(ref, "lab.yaml")):
        return read_lab(ref)
    found, _ = labrun.sources(extra)
    source = find(found, ref)
    if source is None:
        raise UserError(f'error: no lab "{ref}" (a lab folder, or the number or id of one in labs/)')
    return source


def _key_bytes(path: str) -> bytes:
    try:
        return reports.read_key(path)
    except OSError as e:
        raise UserError(f"error: cannot read the key {path}: {e.strerror}")
    except ValueError as e:
        raise UserError(f"error: {e}")


def _validate(paths: List[str]) -> int:
    problems = [p for path in paths for p in validate(path)]
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)" if problems else f"ok: {', '.join(paths)}")
    return 1 if problems else 0


def _key(args) -> int:
    if args.what == "new":
        if len(args.names) != 1:
            raise UserError("error: usage: k8slab lab key new FILE")
        try:
            reports.write_key(args.names[0], reports.new_key())
        except FileExistsError:
            raise UserError(f"error: {args.names[0]} exists; k8slab will not overwrite a key")
        except OSError as e:
            raise UserError(f"error: cannot write {args.names[0]}: {e.strerror}")
        print(f"Instructor key written to {args.names[0]} (readable by you only). Keep it: it verifies every "
              "report signed with the codes made from it.")
        return 0
    if not args.key or not args.names:
        raise UserError("error: usage: k8slab lab key codes --key FILE STUDENT...")
    key = _key_bytes(args.key)
    writer = csv.writer(sys.stdout)
    writer.writerow(["student", "code"])
    for name in args.names:
        writer.writerow([name, reports.student_code(key, name)])
    return 0


# ------------------------------------------------------------------ in a cluster


def _lab_for(session, source: LabSource, student: str):
    from k8slab.learning.attempt import Attempt

    try:
        lab = render(source, student)
    except LabError as e:
        raise UserError("error: the lab has problems:\n" + "\n".join(e.problems))
    session.lab = lab
    session.attempt = Attempt(lab=lab.id, path=lab.path, student=student)
    return lab


def _check(session, sources: List[LabSource], students: List[str], extra: List[str]) -> int:
    """Untouched scores 0; the reference solution scores full marks, live and replayed from its state."""
    from k8slab.learning.submission import Submission
    from k8slab.shell import labrun

    msgs = labrun.messages(extra)
    failures = 0
    for source in sources:
        for student in students:
            t0 = time.monotonic()
            lab = _lab_for(session, source, student)
            labrun.prepare(session, lab)
            untouched = labrun.grade_here(session, lab, msgs, {}, {})
            problems = [f"task {r.id} passes untouched" for r in untouched if r.passed]
            problems += list(labrun.solve(session, lab))
            solved = labrun.grade_here(session, lab, msgs, session.attempt.answers, {})
            problems += _unpassed("after the solution", solved)
            state = labrun.state_text(session)
            if not session.cluster.reset():
                problems.append("the cluster did not reset for the replay")
            labrun.replay(session, lab, Submission(folder="(solution)", student=student, lab=lab.id, state=state))
            replayed = labrun.grade_here(session, lab, msgs, session.attempt.answers, {})
            problems += _unpassed("replayed from its state", replayed)
            status = "ok" if not problems else "FAIL"
            failures += bool(problems)
            print(f"{lab.id} for {student}: {status} ({time.monotonic() - t0:.1f} s): untouched "
                  f"{sum(r.earned for r in untouched)}/{lab.max_score}, solution {sum(r.earned for r in solved)}, "
                  f"replayed {sum(r.earned for r in replayed)}", flush=True)
            for problem in problems:
                print(f"  {problem}", flush=True)
            session.cluster.reset()
    return 1 if failures else 0


def _unpassed(when: str, results) -> List[str]:
    out = []
    for r in results:
        if not r.passed:
            failed = next((c for c in r.checks if not c.ok), None)
            out.append(f"task {r.id} fails {when}: {failed.message if failed else ''}")
    return out


def _solution(session, source: LabSource, student: str, out: str, code: str, extra: List[str]) -> int:
    from k8slab.shell import labrun, labs

    lab = _lab_for(session, source, student)
    session.attempt.code = code
    labrun.prepare(session, lab)
    for problem in labrun.solve(session, lab):
        print(problem, file=sys.stderr)
    session.lab_dirs = extra
    for kind, text in labs.submit(session, out):
        print(text.rstrip("\n"), file=sys.stderr if kind != "out" else sys.stdout)
    return 0


def _replay(session, job_path: str) -> int:
    from k8slab.shell import labrun

    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    source = read_lab(job["lab_path"])
    lab = _lab_for(session, source, job["student"])
    sub = submission.read(job["submission"])
    labrun.replay(session, lab, sub)
    results = labrun.grade_here(session, lab, labrun.messages(job.get("labs", [])), job["answers"], job["hints"])
    now = time.time()
    report = reports.build(lab, results, started=job.get("started") or now, ended=job.get("ended") or now,
                           graded_by="replay", answers=job["answers"], version=__version__)
    reports.save(job["out"], report)
    return 0
