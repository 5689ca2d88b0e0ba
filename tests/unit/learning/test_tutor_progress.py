"""The tutor's state machine and the progress file it keeps after every change."""

from __future__ import annotations

import json

from k8slab.learning.progress import Progress, ProgressStore
from k8slab.learning.tutor import Tutor
from tests.unit.learning.test_lesson_model import GOOD, _folder


def _tutor(tmp_path):
    root = tmp_path / "lessons"
    if root.exists():
        return Tutor([str(root)], ProgressStore(str(tmp_path / "state" / "progress.json")))
    root.mkdir()
    two_steps = GOOD + GOOD[GOOD.index("  - title: Expose"):].replace("title: Expose", "title: Again")
    _folder(root, "01-first", two_steps)
    _folder(root, "02-second", GOOD.replace("first-service", "second"))
    return Tutor([str(root)], ProgressStore(str(tmp_path / "state" / "progress.json")))


def test_a_lesson_from_start_to_finish_is_saved_at_every_step(tmp_path):
    tutor = _tutor(tmp_path)
    assert tutor.lesson is None and tutor.find("2").id == "second" and tutor.find("01-first").id == "first-service"
    tutor.start(tutor.find("first-service"))
    assert tutor.status_line() == "lesson 1 · step 1/2"
    assert tutor.hint()[:2] == (1, 2) and tutor.hint()[:2] == (2, 2) and tutor.hint()[:2] == (2, 2)
    assert tutor.passed() is False
    saved = json.loads((tmp_path / "state" / "progress.json").read_text())
    assert saved["lesson"] == "first-service" and saved["step"] == 1 and saved["passed"] == {"first-service": [0]}
    # A new session (after a crash) finds where the learner was, and waits to be asked to resume.
    again = _tutor(tmp_path)
    assert again.lesson is None
    lesson, step = again.saved()
    assert (lesson.id, step) == ("first-service", 1)
    again.start(lesson, step)
    assert again.back() is True and again.back() is False
    again.passed()
    assert again.passed() is True  # the last step: the lesson is complete
    assert again.progress.completed == ["first-service"] and again.lesson is None and again.saved() is None
    assert again.next_lesson(lesson).id == "second"


def test_a_damaged_progress_file_means_a_fresh_start(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text("{not json")
    assert ProgressStore(str(path)).load() == Progress()
    path.write_text('{"lesson": "x", "step": "two"}')
    assert ProgressStore(str(path)).load() == Progress()


def test_reload_takes_an_edited_lesson(tmp_path):
    tutor = _tutor(tmp_path)
    yaml_path = tmp_path / "lessons" / "02-second" / "lesson.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("title: A first Service", "title: Edited"))
    assert tutor.find("second").title == "A first Service"
    tutor.reload()
    assert tutor.find("second").title == "Edited"


def test_a_passed_step_keeps_its_explanation_on_a_short_screen(tmp_path, monkeypatch):
    from k8slab.shell import lessons
    from tests.unit.shell.light_session import light_session

    session = light_session()
    session.tutor = tutor = _tutor(tmp_path)
    tutor.start(tutor.find("first-service"))
    monkeypatch.setattr(lessons, "_rows", lambda: 200)
    tall = "\n".join(text for _, text in lessons._advance(session, tutor).lines)
    assert "Step 1 of 2 passed" in tall and "step 2 of 2: Again" in tall and "Type `lesson status`" not in tall
    tutor.back()
    monkeypatch.setattr(lessons, "_rows", lambda: 6)
    short = "\n".join(text for _, text in lessons._advance(session, tutor).lines)
    assert "Next: step 2 of 2, Again. Type `lesson status` to read it" in short
