"""The dependency rules of DESIGN.md, checked by import-linter (contracts in pyproject.toml)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def test_import_contracts_are_kept():
    lint = os.path.join(os.path.dirname(sys.executable), "lint-imports")
    p = subprocess.run([lint, "--no-cache"], cwd=str(REPO), capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 broken" in p.stdout
