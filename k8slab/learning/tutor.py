"""The lesson in progress: which step, its checks, hints, and moving on (no I/O but the progress file)."""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Tuple

import yaml

from k8slab.learning.checks import Run, Verdict, run_checks
from k8slab.learning.model import Lesson, Step, load_lessons
from k8slab.learning.progress import Progress, ProgressStore

BUILTIN_LESSONS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                               "lessons")


def load_messages(roots: List[str]) -> Dict[str, str]:
    """The engine's sentences: the built-in messages.yaml, overridden by each root's own."""
    messages: Dict[str, str] = {}
    for root in [BUILTIN_LESSONS] + [r for r in roots if r != BUILTIN_LESSONS]:
        path = os.path.join(root, "messages.yaml")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                data = yaml.safe_load(f) or {}
            messages.update({str(k): str(v) for k, v in data.items()})
    return messages


class Tutor:
    """Lessons, the learner's progress through them, and the current step's checks."""

    def __init__(self, roots: List[str], store: ProgressStore):
        self.roots = roots
        self.lessons, self.problems = load_lessons(roots)
        self.messages = load_messages(roots)
        self.store = store
        self.progress: Progress = store.load()
        self.active = False  # a lesson runs in this session (a saved one waits for `lesson resume`)

    def reload(self) -> None:
        """Read the lesson folders again (an author edits a lesson while k8slab runs)."""
        lessons, problems = load_lessons(self.roots)
        self.lessons, self.problems = lessons, problems
        self.messages = load_messages(self.roots)

    def say(self, key: str, **values) -> str:
        """One of the engine's sentences, filled in."""
        return self.messages.get(key, key).format(**values)

    def find(self, ref: str) -> Optional[Lesson]:
        """A lesson by id, by number (its folder's NN), or by folder name."""
        for lesson in self.lessons:
            number = self.number(lesson)
            if ref in (lesson.id, str(number), f"{number:02d}", os.path.basename(lesson.path)):
                return lesson
        return None

    def number(self, lesson: Lesson) -> int:
        """The lesson's number: its folder's NN prefix (01-pods... is 1)."""
        return int(os.path.basename(lesson.path)[:2])

    def saved(self) -> Optional[Tuple[Lesson, int]]:
        """The lesson and step the progress file says the learner was on, if any."""
        lesson = self.find(self.progress.lesson) if self.progress.lesson else None
        if lesson is None or not 0 <= self.progress.step < len(lesson.steps):
            return None
        return lesson, self.progress.step

    @property
    def lesson(self) -> Optional[Lesson]:
        """The running lesson."""
        return self.find(self.progress.lesson) if self.active and self.progress.lesson else None

    @property
    def step(self) -> Optional[Step]:
        """The running lesson's current step."""
        lesson = self.lesson
        return lesson.steps[self.progress.step] if lesson is not None else None

    def start(self, lesson: Lesson, step: int = 0) -> None:
        """Make `lesson` the running lesson, at `step`."""
        self.progress.lesson, self.progress.step = lesson.id, step
        self.active = True
        self.store.save(self.progress)

    def stop(self) -> None:
        """Leave the lesson (its progress stays saved)."""
        self.active = False

    def check(self, run: Run) -> List[Verdict]:
        """The current step's verdicts (up to the first failure)."""
        step = self.step
        return run_checks(step.checks, run, self.messages) if step is not None else []

    def passed(self) -> bool:
        """Mark the current step passed and move on; True when that finished the lesson."""
        lesson = self.lesson
        done = self.progress.passed.setdefault(lesson.id, [])
        if self.progress.step not in done:
            done.append(self.progress.step)
        self.progress.step += 1
        finished = self.progress.step >= len(lesson.steps)
        if finished:
            if lesson.id not in self.progress.completed:
                self.progress.completed.append(lesson.id)
            self.progress.lesson, self.progress.step = None, 0
            self.active = False
        self.store.save(self.progress)
        return finished

    def back(self) -> bool:
        """Go back one step (the cluster stays as it is); False at the first step."""
        if self.progress.step == 0:
            return False
        self.progress.step -= 1
        self.store.save(self.progress)
        return True

    def hint(self) -> Tuple[int, int, str]:
        """The next hint of the current step: (its number, how many there are, its text)."""
        key = f"{self.progress.lesson}/{self.progress.step}"
        hints = self.step.hints
        n = min(self.progress.hints.get(key, 0) + 1, len(hints))
        self.progress.hints[key] = n
        self.store.save(self.progress)
        return n, len(hints), hints[n - 1]

    def next_lesson(self, lesson: Lesson) -> Optional[Lesson]:
        """The lesson after this one, if any."""
        i = self.lessons.index(lesson)
        return self.lessons[i + 1] if i + 1 < len(self.lessons) else None

    def status_line(self) -> str:
        """The toolbar's words for the running lesson ('' when none)."""
        lesson = self.lesson
        if lesson is None:
            return ""
        return self.say("toolbar", number=self.number(lesson), step=self.progress.step + 1, steps=len(lesson.steps))
