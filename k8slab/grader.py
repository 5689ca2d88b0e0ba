"""Grading a class: every submission replayed in its own fresh cluster, several at once; reports, the
class summary; and the gradebook, which verifies students' signed reports and totals them.

Each replay is a separate `k8slab lab replay JOB` process, in its own sandbox (fresh namespaces, a
fresh cluster), so that one student's cluster can never see another's.
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
from typing import List, Optional

from k8slab.errors import UserError
from k8slab.labtool import _key_bytes, _source
from k8slab.learning import reports, submission
from k8slab.learning.labmodel import LabSource, render
from k8slab.views import labviews

REPLAY_TIMEOUT = 300  # seconds one replay may take before it counts as failed


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
