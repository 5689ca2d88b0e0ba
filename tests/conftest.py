"""Shared helpers: how tests start k8slab, as root and as an ordinary user."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
TEST_USER = "k8slab-ci"  # created by ./dev test when it runs as root


def k8slab_argv() -> list:
    """The command that starts k8slab from this checkout."""
    return [sys.executable, "-m", "k8slab.app"]


def sandbox_modes() -> list:
    """Which sandboxes this machine can test: root and rootless as root, rootless otherwise."""
    return ["root", "rootless"] if os.getuid() == 0 else ["rootless"]


def as_mode(argv: list, mode: str) -> list:
    """Run argv as root, or (when we are root) as the ordinary test user for the rootless path."""
    if mode == "rootless" and os.getuid() == 0:
        try:
            pwd.getpwnam(TEST_USER)
        except KeyError:
            pytest.fail(f"user {TEST_USER} is missing: run the suite with ./dev test, which creates it")
        # setpriv execs in place (runuser would stay as a parent and keep Ctrl-C from the terminal).
        return ["setpriv", f"--reuid={TEST_USER}", f"--regid={TEST_USER}", "--clear-groups", "--"] + argv
    return argv


def run_k8slab(script: str, mode: str = "root", args=(), timeout: float = 120, env=None) -> subprocess.CompletedProcess:
    """Run a batch script in a fresh cluster and return the finished process (text output)."""
    if os.getuid() != 0:
        mode = "rootless"
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", **(env or {})}
    return subprocess.run(as_mode(k8slab_argv() + list(args) + ["-c", script], mode), capture_output=True,
                          text=True, timeout=timeout, cwd=str(REPO), env=env)


@pytest.fixture(params=sandbox_modes())
def mode(request):
    """Each sandbox mode this machine can run."""
    return request.param
