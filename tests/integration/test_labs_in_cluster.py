"""Labs in real clusters: every lab scores 0 untouched and full marks solved (live and replayed), and a
class is graded end to end: reference submissions, an empty one, a hand-written one, a tampered report."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import REPO, k8slab_argv

LABS = REPO / "labs"
FIXTURE = REPO / "tests" / "fixtures" / "labs" / "01-demo"
ROOT_ONLY = pytest.mark.skipif(os.getuid() != 0, reason="labs are graded in the root sandbox here; "
                               "the rootless sandbox is covered by the other integration tests")


def k8slab(*args, timeout=600, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run(k8slab_argv() + list(args), capture_output=True, text=True, timeout=timeout,
                          cwd=str(cwd or REPO), env=env)


def lab_folders():
    return sorted(str(p) for p in LABS.iterdir() if p.is_dir() and p.name[:2].isdigit())


def test_the_repository_has_the_labs_the_classroom_needs():
    kinds = []
    for folder in lab_folders():
        done = k8slab("lab", "validate", folder)
        assert done.returncode == 0, done.stdout
        with open(os.path.join(folder, "lab.yaml")) as f:
            kinds.append(next(line.split(":", 1)[1].strip() for line in f if line.startswith("kind:")))
    assert kinds.count("troubleshooting") >= 4 and kinds.count("build") >= 3 and kinds.count("exam") >= 1


@ROOT_ONLY
def test_every_lab_scores_zero_untouched_and_full_marks_solved():
    """`lab check` for each lab, three at a time: untouched 0; solution full, live and replayed from its state."""
    def check(folder):
        return folder, k8slab("lab", "check", folder, "--students", "ci-student")

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(check, lab_folders()))
    failures = [f"{folder}:\n{done.stdout}{done.stderr}" for folder, done in results if done.returncode != 0]
    assert not failures, "\n".join(failures)
    for folder, done in results:
        assert " ok (" in done.stdout and "untouched 0/" in done.stdout, done.stdout


@ROOT_ONLY
def test_grading_a_class(tmp_path):
    key = tmp_path / "class.key"
    assert k8slab("lab", "key", "new", str(key)).returncode == 0
    subs = tmp_path / "subs"
    for student in ("alice", "bob"):
        done = k8slab("lab", "solution", str(FIXTURE), "--student", student, "--out", str(subs / student),
                      "--key", str(key))
        assert done.returncode == 0, done.stderr
        assert "Submitted: 15/15" in done.stdout
    (subs / "empty").mkdir()
    # A hand-written submission: the fixed Service as a file, and an answer.
    by_hand = subs / "hand"
    by_hand.mkdir()
    codes = k8slab("lab", "key", "codes", "--key", str(key), "hand").stdout
    assert codes.startswith("student,code\nhand,")
    # Copying bob's report into carol's folder, with a better score, must not pass the gradebook.
    shutil.copytree(subs / "bob", subs / "carol")
    report = json.loads((subs / "carol" / "report.json").read_text())
    report["tasks"][0]["hints_taken"] = 0
    report["score"] = 15
    report["student"] = "carol"
    (subs / "carol" / "report.json").write_text(json.dumps(report))
    meta = subs / "carol" / "submission.yaml"
    meta.write_text(meta.read_text().replace("student: bob", "student: carol"))
    (by_hand / "answers.yaml").write_text("port: '9376'\n")
    (by_hand / "fixed.yaml").write_text(_service_for("hand"))

    out = tmp_path / "graded"
    done = k8slab("lab", "grade", str(FIXTURE), "--submissions", str(subs), "--key", str(key), "--out", str(out),
                  "--jobs", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Graded 5/5 in" in done.stdout
    rows = {r["student"]: r for r in csv.DictReader(open(out / "summary.csv"))}
    scores = {s: int(r["score"]) for s, r in rows.items()}
    assert {s: scores[s] for s in ("alice", "bob", "empty", "hand")} == {"alice": 15, "bob": 15, "empty": 0, "hand": 15}
    assert rows["alice"]["signature"] == "verified" and rows["empty"]["signature"] == "hand-written"
    assert rows["carol"]["signature"] == "REJECTED"
    summary = (out / "summary.md").read_text()
    assert "| empty | 0 / 15 |" in summary and "carol: its report.json was rejected" in summary
    assert "The client gets answers from all {{replicas}} pods of http://{{app}}" in summary
    assert (out / "alice.md").read_text().startswith("# A demo lab for the tests: alice")

    book = k8slab("gradebook", "--key", str(key), str(subs))
    assert book.returncode == 1
    assert "REJECTED" in book.stderr and "carol's report for demo is rejected: its signature does not match" \
        in book.stderr
    assert "alice,demo,15,15" in book.stdout and "2 report(s) verified, 1 rejected" in book.stderr


def _service_for(student: str) -> str:
    from k8slab.learning.labmodel import read_lab, render

    app = render(read_lab(str(FIXTURE)), student).values["app"]
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {app}
spec:
  selector:
    app: {app}
  ports:
  - port: 80
    targetPort: 9376
"""
