"""A student's lab through the real REPL: start with a code, a hint that costs points, a fix, an answer,
the status with the score, and a submission whose signed report the instructor's key verifies."""

from __future__ import annotations

import json

import pexpect

import pytest

from k8slab.learning import reports
from k8slab.learning.labmodel import read_lab, render
from tests.conftest import REPO
from tests.e2e.test_repl import send, spawn

pytestmark = pytest.mark.e2e
FIXTURE = REPO / "tests" / "fixtures" / "labs" / "01-demo"


def test_a_student_does_a_lab(tmp_path):
    key = bytes(range(32))
    code = reports.student_code(key, "dana")
    app = render(read_lab(str(FIXTURE)), "dana").values["app"]
    child = spawn("root")
    try:
        send(child, f"lab start {FIXTURE} --student dana --code {code}", r"answer with: lab answer port TEXT",
             timeout=90)
        out = send(child, "lab hint reach", r"Hint 1 of 2 for reach \(-2 points\)")
        assert "Compare the Service's selector" in out
        out = send(child, "lab status", r"score now 0/15", timeout=60)
        assert "Checking the 2 tasks" in out and "not yet" in out
        send(child, f"kubectl patch svc {app} -p '{{\"spec\":{{\"selector\":{{\"app\":\"{app}\"}}}}}}'",
             f"service/{app} patched")
        send(child, "lab answer port 9376", "Answer to port recorded: 9376")
        out = send(child, "lab status", r"score now 13/15", timeout=60)
        assert out.count("done") >= 2
        folder = tmp_path / "handed-in"
        out = send(child, f"lab submit {folder}", r"Submitted: 13/15 points", timeout=60)
        assert "report.json, signed" in out
        send(child, "lab status", "no lab is running")
    finally:
        child.close(force=True)
    report = json.loads((folder / "report.json").read_text())
    assert reports.verify(report, key) == (True, "")
    assert report["student"] == "dana" and report["tasks"][0]["hints_taken"] == 1
    history = (folder / "history.txt").read_text()
    assert "kubectl patch svc" in history and "lab answer port 9376" in history
    assert f"name: {app}" in (folder / "state.yaml").read_text()


def test_a_lab_survives_leaving_k8slab():
    app = render(read_lab(str(FIXTURE)), "fred").values["app"]
    child = spawn("root")
    try:
        send(child, f"lab start {FIXTURE} --student fred", r"answer with: lab answer port TEXT", timeout=90)
        send(child, f"kubectl patch svc {app} -p '{{\"spec\":{{\"selector\":{{\"app\":\"{app}\"}}}}}}'",
             f"service/{app} patched")
        child.sendline("exit")
        child.expect(pexpect.EOF, timeout=30)
    finally:
        child.close(force=True)
    child = spawn("root")  # the welcome, then the offer, then the prompt
    try:
        assert "You were doing lab demo as fred" in child.before and "`lab resume`" in child.before
        out = send(child, "lab resume", r"left · 15 points", timeout=90)
        assert "Rebuilding lab demo for fred" in out
        send(child, "lab status", r"score now 10/15", timeout=60)
        send(child, "lab stop", "Lab stopped")
    finally:
        child.close(force=True)
