"""What a learner has done, kept in one JSON file and rewritten whole after every change."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional


@dataclass
class Progress:
    """The current lesson and step, hints used, and the lessons completed."""

    lesson: Optional[str] = None
    step: int = 0
    hints: Dict[str, int] = field(default_factory=dict)  # "lesson-id/step" -> hints shown
    passed: Dict[str, List[int]] = field(default_factory=dict)  # lesson id -> steps passed
    completed: List[str] = field(default_factory=list)


def progress_path() -> str:
    """$XDG_STATE_HOME/k8slab/progress.json (or ~/.local/state/...)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "k8slab", "progress.json")


class ProgressStore:
    """Loads and saves Progress; a missing or damaged file means a fresh start."""

    def __init__(self, path: Optional[str] = None):
        self.path = path or progress_path()

    def load(self) -> Progress:
        """The saved progress (or a fresh one)."""
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
            return Progress(lesson=data.get("lesson"), step=int(data.get("step", 0)),
                            hints=dict(data.get("hints") or {}), passed=dict(data.get("passed") or {}),
                            completed=list(data.get("completed") or []))
        except (OSError, ValueError, TypeError, AttributeError):
            return Progress()

    def save(self, progress: Progress) -> None:
        """Write the progress atomically (a crash leaves the old file or the new one, never half)."""
        tmp = self.path + ".tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(asdict(progress), f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError:  # a read-only home: progress lasts for this session only
            pass
