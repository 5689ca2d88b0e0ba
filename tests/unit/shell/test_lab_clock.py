"""The lab's clock in the shell: the toolbar's words, and a lab submitted as it is when time is up."""

from __future__ import annotations

import io
import os
import time

from k8slab.learning.attempt import Attempt
from k8slab.learning.labmodel import read_lab, render
from k8slab.shell import labs
from k8slab.views.render import Printer
from tests.unit.shell.light_session import light_session

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "labs", "01-demo")


def running(tmp_path, monkeypatch, started):
    from k8slab.learning import checks
    from tests.unit.learning.test_lab_grading import FakeClock

    monkeypatch.setattr(checks, "time", FakeClock())  # `within:` retries without waiting
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    session = light_session()
    out = io.StringIO()
    session.printer = Printer(color=False, out=out, err=out)
    labs._hook(session)
    session.lab = render(read_lab(FIXTURE), "erin")
    session.attempt = Attempt(lab="demo", path=FIXTURE, student="erin", started=started)
    session.attempt.hints["reach"] = 1
    return session, out


def test_the_toolbar_shows_the_time_left_and_hint_costs(tmp_path, monkeypatch):
    session, _ = running(tmp_path, monkeypatch, time.time() - 61)
    line = labs.status_line(session)
    assert line.startswith("lab demo · 8:5") and line.endswith("left · hints -2")


def test_a_command_after_the_time_limit_submits_the_lab_first(tmp_path, monkeypatch):
    session, out = running(tmp_path, monkeypatch, time.time() - 601)
    session.run("kubectl get svc")
    text = out.getvalue()
    assert text.index("Time is up") < text.index("Submitted: 0/15") < text.index("kubernetes")
    folder = tmp_path / "k8slab-labs" / "demo-erin"
    assert (folder / "report.json").exists() and (folder / "state.yaml").exists()
    assert labs.status_line(session) == ""
    session.run("kubectl get svc")
    assert out.getvalue().count("Time is up") == 1
