"""A student's attempt at a lab: when it started, hints taken, answers, commands typed, and the clock.

It is kept in one JSON file, rewritten whole after every change, so that a crash loses nothing the
report needs (the hints taken and the time already spent cannot be undone by restarting).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional

from k8slab.learning.labmodel import Lab


@dataclass
class Attempt:
    """One student's work on one lab."""

    lab: str  # the lab's id
    path: str  # its folder
    student: str
    code: str = ""  # the student's code from the instructor, for signing the report
    started: float = field(default_factory=time.time)
    ended: Optional[float] = None  # set when submitted
    hints: Dict[str, int] = field(default_factory=dict)  # task id -> hints shown
    answers: Dict[str, str] = field(default_factory=dict)
    history: List[str] = field(default_factory=list)
    score: Optional[int] = None  # the last score shown (lab status), for the toolbar
    scored_at: Optional[float] = None
    state: str = ""  # the student's objects after their last command: `lab resume` rebuilds them

    def deadline(self, lab: Lab) -> Optional[float]:
        """When the time limit passes (None without one)."""
        return self.started + lab.time_limit * 60 if lab.time_limit else None

    def time_left(self, lab: Lab, now: Optional[float] = None) -> Optional[float]:
        """Seconds left before the time limit (None without one; never below 0)."""
        deadline = self.deadline(lab)
        if deadline is None:
            return None
        return max(0.0, deadline - (time.time() if now is None else now))

    def over_time(self, lab: Lab, now: Optional[float] = None) -> bool:
        """Has the time limit passed?"""
        left = self.time_left(lab, now)
        return left is not None and left <= 0


def attempt_path() -> str:
    """$XDG_STATE_HOME/k8slab/lab.json (or ~/.local/state/...)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "k8slab", "lab.json")


def save(attempt: Attempt, path: Optional[str] = None) -> None:
    """Write the attempt atomically (a read-only home keeps it for this session only)."""
    path = path or attempt_path()
    tmp = path + ".tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(asdict(attempt), f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        pass


def load(path: Optional[str] = None) -> Optional[Attempt]:
    """The saved attempt, if there is a readable one."""
    try:
        with open(path or attempt_path(), encoding="utf-8") as f:
            data = json.load(f)
        return Attempt(**{k: v for k, v in data.items() if k in Attempt.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return None
