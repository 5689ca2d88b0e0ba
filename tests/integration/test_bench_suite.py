"""The benchmark suite runs (quick mode): every figure measured, its baseline beside it in the same run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.skipif(os.getuid() != 0, reason="the suite's baselines enter namespaces as root")
def test_the_quick_suite_measures_every_figure_beside_its_baseline(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "suite.py"), "--quick", "--json", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=str(REPO),
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    assert report["quick"] is True and report["failed"] == []
    groups = [r["group"] for r in report["figures"]]
    assert list(dict.fromkeys(groups)) == ["time-to-k8s", "pods", "Service programming", "kube-proxy", "DNS",
                                           "throughput", "REPL", "memory"]
    for row in report["figures"]:
        assert "error" not in row, row
        assert row["median"] > 0 and row["runs"] >= 1
    # the baselines, each measured in the same run
    with_baseline = {r["group"] for r in report["figures"] if r.get("baseline_median", 0) > 0 and r.get("ratio", 0) > 0}
    assert with_baseline >= {"time-to-k8s", "pods", "kube-proxy", "DNS", "throughput"}
    phases = [r["figure"] for r in report["figures"] if r["group"] == "time-to-k8s"]
    assert phases[:6] == ["command -> API answering", "command -> kubernetes Service", "command -> DNS Service",
                          "command -> cluster ready", "command -> app running", "command -> DNS answering (total)"]
    ttk = {r["figure"]: r["median"] for r in report["figures"] if r["group"] == "time-to-k8s"}
    assert ttk["command -> API answering"] <= ttk["command -> cluster ready"] <= ttk["command -> DNS answering (total)"]
    assert any("p99" in r for r in report["figures"] if r["group"] == "Service programming")
    assert "| kube-proxy | full sync, 100 Services x 5 endpoints" in done.stdout
