"""Lab reports as data, and their signatures.

A report is a JSON document. It is signed with a keyed hash (HMAC-SHA256) of its canonical JSON (sorted
keys, no spaces) under the student's code: a key derived from the instructor's key and the student's
name. The instructor, who holds the instructor's key, derives every code again, so a report edited by
hand, or signed with another student's code, no longer verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Dict, List, Optional, Tuple

from k8slab.learning.grading import TaskResult, score
from k8slab.learning.labmodel import Lab

FORMAT = "k8slab-lab-report/1"
CODE_LENGTH = 24  # hex digits of a student's code: 96 bits
ALGORITHM = "hmac-sha256"


def new_key() -> str:
    """A fresh instructor key: 256 random bits, as hex."""
    return secrets.token_hex(32)


def read_key(path: str) -> bytes:
    """The instructor's key from its file (ValueError if it is not one)."""
    with open(path, encoding="utf-8") as f:
        text = f.read().strip()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text.lower()):
        raise ValueError(f"{path}: not a k8slab instructor key (64 hex digits; `k8slab lab key new FILE` makes one)")
    return bytes.fromhex(text)


def write_key(path: str, key: str) -> None:
    """Write an instructor key readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key + "\n")


def student_code(instructor_key: bytes, student: str) -> str:
    """The code a student signs with: derived from the instructor's key and the student's name."""
    digest = hmac.new(instructor_key, b"k8slab-student-code\0" + student.encode(), hashlib.sha256).hexdigest()
    return digest[:CODE_LENGTH]


def build(lab: Lab, results: List[TaskResult], *, started: float, ended: float, graded_by: str,
          answers: Dict[str, str], version: str) -> dict:
    """The report of one student's lab (not yet signed)."""
    seconds = max(0, int(round(ended - started)))
    limit = lab.time_limit * 60 if lab.time_limit else None
    return {
        "format": FORMAT,
        "lab": {"id": lab.id, "title": lab.title, "kind": lab.kind, "time_limit_minutes": lab.time_limit},
        "student": lab.student,
        "variant": {k: v for k, v in lab.values.items() if k != "student"},
        "started": _iso(started),
        "ended": _iso(ended),
        "seconds": seconds,
        "over_time": bool(limit and seconds > limit + 5),
        "score": score(results),
        "max_score": lab.max_score,
        "tasks": [asdict(r) for r in results],
        "answers": dict(answers),
        "graded_by": graded_by,
        "k8slab": version,
    }


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical(report: dict) -> bytes:
    """The bytes a signature covers: the report without its signature, as canonical JSON."""
    body = {k: v for k, v in report.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(report: dict, code: str) -> dict:
    """The report with its signature under the student's code."""
    mac = hmac.new(code.encode(), canonical(report), hashlib.sha256).hexdigest()
    return {**report, "signature": {"algorithm": ALGORITHM, "value": mac}}


def verify(report: dict, instructor_key: bytes) -> Tuple[bool, str]:
    """(True, "") if the report is signed by its student's code; else (False, why not)."""
    signature = report.get("signature")
    if not isinstance(signature, dict) or not signature.get("value"):
        return False, "it is not signed (was it submitted without a code?)"
    if signature.get("algorithm") != ALGORITHM:
        return False, f"unknown signature algorithm {signature.get('algorithm')!r}"
    student = report.get("student")
    if not isinstance(student, str) or not student:
        return False, "it names no student"
    code = student_code(instructor_key, student)
    wanted = hmac.new(code.encode(), canonical(report), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(wanted, str(signature["value"])):
        return False, (f"its signature does not match its content: it was changed after it was signed, "
                       f"or signed with a code that is not {student}'s")
    return True, ""


def load(path: str) -> dict:
    """A report from its JSON file (ValueError if it is not one)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise ValueError(f"{path}: cannot read: {e.strerror}")
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not JSON ({e.msg} at line {e.lineno})")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a k8slab lab report")
    return data


def save(path: str, report: dict) -> None:
    """Write a report as indented JSON."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, ensure_ascii=False)
        f.write("\n")


def class_rows(reports: List[dict]) -> List[dict]:
    """One row per student: name, score, max, percent, time and each task's points."""
    rows = []
    for report in sorted(reports, key=lambda r: str(r.get("student"))):
        row = {"student": report.get("student"), "score": report.get("score"), "max": report.get("max_score"),
               "percent": round(100 * report["score"] / report["max_score"]) if report.get("max_score") else 0,
               "seconds": report.get("seconds"), "over_time": report.get("over_time", False)}
        for task in report.get("tasks", []):
            row[task["id"]] = task["earned"]
        rows.append(row)
    return rows


def task_summary(reports: List[dict]) -> List[dict]:
    """Per task: how many passed, and the failed checks most students stumbled on."""
    tasks: Dict[str, dict] = {}
    for report in reports:
        for task in report.get("tasks", []):
            entry = tasks.setdefault(task["id"], {"id": task["id"], "title": task["title"], "points": task["points"],
                                                  "fixes": task.get("fixes", ""), "passed": 0, "graded": 0,
                                                  "hints": 0, "mistakes": {}})
            entry["graded"] += 1
            entry["passed"] += bool(task["passed"])
            entry["hints"] += int(task.get("hints_taken") or 0)
            failed = next((c for c in task.get("checks", []) if not c["ok"]), None)
            if failed is not None:
                what = failed.get("why") or failed.get("message") or "failed"
                entry["mistakes"][what] = entry["mistakes"].get(what, 0) + 1
    out = []
    for entry in tasks.values():
        common = sorted(entry["mistakes"].items(), key=lambda kv: (-kv[1], kv[0]))
        out.append({**entry, "mistakes": common})
    return out


def elapsed(report: dict) -> Optional[int]:
    """The seconds a student took, if the report says."""
    value = report.get("seconds")
    return int(value) if isinstance(value, int) else None
