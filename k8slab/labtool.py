"""The instructor's lab tools: `k8slab lab validate|check|solution|grade|key` and `k8slab gradebook`.

`lab grade` replays each submission in its own k8slab process, in its own sandbox (fresh namespaces,
a fresh cluster), several at once; those processes run `k8slab lab replay JOB`, which is not meant
for people.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, Optional

from k8slab import __version__
from k8slab.errors import UserError
from k8slab.learning import reports, submission
from k8slab.learning.labmodel import LabError, LabSource, find, read_lab, render, validate
from k8slab.views import labviews

REPLAY_TIMEOUT = 300  # seconds one replay may take before it counts as failed


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
        return grade(args)
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


# ------------------------------------------------------------------ grading a class


def grade(args) -> int:
    """Replay every submission in fresh clusters, in parallel; write reports and the class summary."""
    source = _source(args.lab, args.labs)
    lab = render(source, "student")
    key = _key_bytes(args.key) if args.key else None
    try:
        folders = submission.folders(args.submissions)
    except ValueError as e:
        raise UserError(f"error: {e}")
    if not folders:
        raise UserError(f"error: {args.submissions}: no submissions in it (one folder per student)")
    out = args.out or f"graded-{lab.id}"
    os.makedirs(out, exist_ok=True)
    jobs = args.jobs or min(4, (os.cpu_count() or 1) + 2)  # replays mostly wait (pods starting, curl)
    print(f"Grading {len(folders)} submissions of {lab.id} in fresh clusters, {jobs} at a time ...", flush=True)
    t0 = time.monotonic()
    done: List[dict] = []
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="k8slab-grade-") as tmp:
        def one(folder: str) -> dict:
            entry = _grade_one(folder, source, key, tmp, out, args.labs)
            with lock:
                done.append(entry)
                score = f"{entry['report']['score']}/{entry['report']['max_score']}" if entry.get("report") else "error"
                print(f"[{len(done)}/{len(folders)}] {entry['student']}: {score} ({entry['seconds']:.1f} s)"
                      + (f"  {entry['note']}" if entry.get("note") else ""), flush=True)
            return entry

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            entries = list(pool.map(one, folders))
    wall = time.monotonic() - t0
    graded = [e["report"] for e in entries if e.get("report")]
    rows = reports.class_rows(graded)
    status = {e["student"]: e["signature"] for e in entries}
    for row in rows:
        row["signature"] = status.get(row["student"], "")
    notes = [f"{e['student']}: {e['note']}" for e in entries if e.get("note")]
    named = {}
    for folder, e in zip(folders, entries):
        named.setdefault(e["student"], []).append(os.path.basename(folder))
    notes += [f"{student}: {len(where)} submissions name this student ({', '.join(where)}); only one report is kept"
              for student, where in named.items() if len(where) > 1]
    task_rows = reports.task_summary(graded)
    written = {t.get("id"): t.get("title") for t in source.data.get("tasks") or () if isinstance(t, dict)}
    for row in task_rows:  # the task as the lab words it, not as one student's variant does
        row["title"] = str(written.get(row["id"]) or row["title"])
    _write_csv(os.path.join(out, "summary.csv"), rows, [t.id for t in lab.tasks])
    with open(os.path.join(out, "summary.md"), "w", encoding="utf-8") as f:
        f.write(labviews.summary_markdown(lab.title, rows, task_rows, notes, wall))
    mean = sum(r["score"] for r in rows) / len(rows) if rows else 0
    print(f"Graded {len(graded)}/{len(folders)} in {wall:.1f} s; mean {mean:.1f}/{lab.max_score}. "
          f"Reports and summary.csv, summary.md in {out}/", flush=True)
    return 0 if len(graded) == len(folders) else 1


def _grade_one(folder: str, source: LabSource, key: Optional[bytes], tmp: str, out: str, extra: List[str]) -> dict:
    t0 = time.monotonic()
    try:
        sub = submission.read(folder)
    except ValueError as e:
        return {"student": os.path.basename(folder), "note": f"cannot read the submission: {e}", "signature": "",
                "seconds": 0.0}
    trust = _trusted(sub, key)
    note = trust.pop("note", "")
    if sub.complete and sub.lab != source.id:
        note = f"submitted for lab {sub.lab}, graded as {source.id}"
    job_path = os.path.join(tmp, f"{sub.student}.job.json")
    report_path = os.path.join(out, f"{_safe(sub.student)}.json")
    with open(job_path, "w", encoding="utf-8") as f:
        json.dump({"lab_path": source.path, "student": sub.student, "submission": os.path.abspath(folder),
                   "out": os.path.abspath(report_path), "labs": extra, **trust}, f)
    try:
        done = subprocess.run([sys.executable, "-m", "k8slab", "lab", "replay", job_path], capture_output=True,
                              text=True, timeout=REPLAY_TIMEOUT, stdin=subprocess.DEVNULL)
        failed = done.returncode != 0 or not os.path.exists(report_path)
        why = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1] if failed else ""
    except subprocess.TimeoutExpired:
        failed, why = True, f"the replay took more than {REPLAY_TIMEOUT} s"
    entry = {"student": sub.student, "signature": trust_status(sub, key), "seconds": time.monotonic() - t0}
    if failed:
        entry["note"] = f"replay failed: {why}"
        return entry
    report = reports.load(report_path)
    with open(report_path[:-5] + ".md", "w", encoding="utf-8") as f:
        f.write(labviews.report_markdown(report))
    entry["report"] = report
    if note:
        entry["note"] = note
    return entry


def _trusted(sub, key: Optional[bytes]) -> dict:
    """Answers, hints and times: from the student's signed report when it verifies, else from submission.yaml."""
    values = {"answers": dict(sub.answers), "hints": dict(sub.hints), "started": sub.started, "ended": sub.ended}
    if key is None or sub.report_path is None:
        return values
    try:
        report = reports.load(sub.report_path)
    except ValueError as e:
        return {**values, "note": str(e)}
    ok, why = reports.verify(report, key)
    if not ok:
        return {**values, "note": f"its report.json was rejected: {why}"}
    values["answers"] = dict(report.get("answers") or {})
    values["hints"] = {t["id"]: int(t.get("hints_taken") or 0) for t in report.get("tasks", [])}
    return values


def trust_status(sub, key: Optional[bytes]) -> str:
    """What the summary says of a submission's own report."""
    if not sub.complete:
        return "hand-written"
    if sub.report_path is None:
        return "no report"
    if key is None:
        return "not checked (no --key)"
    try:
        ok, _ = reports.verify(reports.load(sub.report_path), key)
    except ValueError:
        return "unreadable"
    return "verified" if ok else "REJECTED"


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "student"


def _write_csv(path: str, rows: List[dict], task_ids: List[str]) -> None:
    columns = ["student", "score", "max", "percent", "seconds", "over_time", "signature"] + task_ids
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)


# ------------------------------------------------------------------ gradebook


def gradebook_parser() -> argparse.ArgumentParser:
    """`k8slab gradebook ...`"""
    p = argparse.ArgumentParser(prog="k8slab gradebook",
                                description="Verify the signatures of students' lab reports and total them.")
    p.add_argument("reports", nargs="+", metavar="REPORT", help="report.json files, or folders holding them")
    p.add_argument("--key", required=True, metavar="FILE", help="the instructor's key")
    p.add_argument("--out", metavar="FILE", help="write the accepted reports' totals as CSV")
    return p


def gradebook(argv: List[str]) -> int:
    """Verify every report; reject (and name) those whose signature does not hold; total the rest."""
    args = gradebook_parser().parse_args(argv)
    key = _key_bytes(args.key)
    accepted, rejected = [], []
    for path in _report_files(args.reports):
        try:
            report = reports.load(path)
        except ValueError as e:
            rejected.append((path, str(e)))
            continue
        ok, why = reports.verify(report, key)
        if ok:
            accepted.append(report)
        else:
            rejected.append((path, f"{report.get('student', '?')}'s report for {report.get('lab', {}).get('id', '?')} "
                                   f"is rejected: {why}"))
    for path, why in rejected:
        print(f"REJECTED {path}: {why}", file=sys.stderr)
    rows = [{"student": r["student"], "lab": r["lab"]["id"], "score": r["score"], "max": r["max_score"],
             "seconds": r["seconds"], "over_time": r.get("over_time", False), "submitted": r["ended"]}
            for r in sorted(accepted, key=lambda r: (r["student"], r["lab"]["id"]))]
    columns = ["student", "lab", "score", "max", "seconds", "over_time", "submitted"]
    if args.out:
        with open(args.out, "w", newline="", encoding="utf-8") as f:
            _table(f, columns, rows)
    else:
        _table(sys.stdout, columns, rows)
    print(f"{len(accepted)} report(s) verified, {len(rejected)} rejected", file=sys.stderr)
    return 1 if rejected else 0


def _table(f, columns: List[str], rows: List[dict]) -> None:
    writer = csv.DictWriter(f, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)


def _report_files(paths: List[str]) -> List[str]:
    found = []
    for path in paths:
        if os.path.isdir(path):
            for root, _dirs, files in sorted(os.walk(path)):
                found += [os.path.join(root, f) for f in sorted(files) if f == "report.json"]
        else:
            found.append(path)
    return found
