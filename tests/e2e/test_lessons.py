"""Every lesson, played through the real REPL as a learner would: each step's check fails before its
reference solution is typed, and the step passes (with its explanation) once it is."""

from __future__ import annotations

import re

import pexpect
import pytest

from k8slab.learning.model import load_lessons
from k8slab.learning.tutor import BUILTIN_LESSONS
from tests.e2e.test_repl import PROMPT, spawn

pytestmark = pytest.mark.e2e
LESSONS, PROBLEMS = load_lessons([BUILTIN_LESSONS])


def test_the_lessons_load_without_problems():
    assert PROBLEMS == []
    assert len(LESSONS) >= 15


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_lesson_plays_end_to_end(lesson):
    child = spawn("root")
    try:
        child.sendline(f"lesson start {lesson.id}")
        child.expect_exact("Ready.", timeout=60)
        child.expect_exact(PROMPT, timeout=30)
        for n, step in enumerate(lesson.steps, start=1):
            child.sendline("check")
            child.expect(rf"Not yet: step {n} of {len(lesson.steps)}", timeout=90)
            child.expect_exact(PROMPT, timeout=30)
            for line in step.solution:
                for typed in line.splitlines():
                    child.sendline(typed)
            child.expect(rf"Step {n} of {len(lesson.steps)} passed", timeout=120)
        child.expect(rf"Lesson \d+ complete: {re.escape(lesson.title)}", timeout=120)
        child.expect_exact(PROMPT, timeout=30)
        child.sendline("lesson list")
        child.expect(rf"{re.escape(lesson.id)}\s+.*done")
    except pexpect.TIMEOUT as e:
        raise AssertionError(f"lesson {lesson.id}: {e.value if hasattr(e, 'value') else e}\n{child.before[-3000:]}")
    finally:
        child.close(force=True)
