"""Loading lessons: what a good folder gives, and every problem of a bad one, by file and field."""

from __future__ import annotations

import os

import pytest

from k8slab.learning.model import LessonError, load_lesson, load_lessons, validate

GOOD = """\
id: first-service
title: A first Service
summary: ClusterIP, selector, Endpoints.
minutes: 8
setup: [kubectl run client --image=busybox -- sleep 3600]
steps:
  - title: Expose
    text: 01.md
    try: [kubectl expose pod web --port=80]
    check:
      - exists: service/web
        field: "{.spec.type}"
        equals: ClusterIP
        why: Create it with kubectl expose.
      - reaches: http://web
        from: client
        backends: 1
    hints: [A Service selects pods by label., kubectl expose pod web --port=80]
    solution: [kubectl expose pod web --port=80]
    explain: It has a ClusterIP now.
"""


def _folder(tmp_path, name="01-first-service", text=GOOD, files=("01.md",)):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "lesson.yaml").write_text(text)
    for f in files:
        (folder / f).write_text("# Expose\nMake a Service.\n")
    return str(folder)


def test_a_good_lesson_loads(tmp_path):
    lesson = load_lesson(_folder(tmp_path))
    assert (lesson.id, lesson.minutes, len(lesson.steps)) == ("first-service", 8, 1)
    step = lesson.steps[0]
    assert step.text.startswith("# Expose") and step.try_commands == ("kubectl expose pod web --port=80",)
    assert [c.kind for c in step.checks] == ["exists", "reaches"]
    assert step.checks[0].options == {"field": "{.spec.type}", "equals": "ClusterIP"}
    assert step.checks[0].why == "Create it with kubectl expose."
    assert validate(str(tmp_path)) == [] and validate(lesson.path) == []


def test_every_problem_names_its_file_and_field(tmp_path):
    bad = (GOOD.replace("id: first-service", "id: First Service").replace("minutes: 8", "minutes: lots")
           .replace("text: 01.md", "text: missing.md").replace("equals: ClusterIP", "equals: ClusterIP\n        colour: red")
           .replace("        from: client\n", "").replace("    hints: [A Service selects pods by label., kubectl expose pod web --port=80]\n", ""))
    folder = _folder(tmp_path, text=bad + "extra: 1\n")
    with pytest.raises(LessonError) as e:
        load_lesson(folder)
    path = os.path.join(folder, "lesson.yaml")
    problems = e.value.problems
    assert all(p.startswith(path + ": ") for p in problems)
    fields = [p[len(path) + 2:].split(":")[0] for p in problems]
    assert fields == ["extra", "id", "minutes", "steps[0].text", "steps[0].check[0].colour", "steps[0].check[1].from",
                      "steps[0].hints"], problems


def test_checks_are_checked(tmp_path):
    bad = GOOD.replace("      - exists: service/web\n", "      - exists: web\n        run: x\n")
    bad = bad.replace("      - reaches: http://web", "      - run: kubectl get pods\n        expect: '(unclosed'\n      - reaches: http://web")
    problems = validate(_folder(tmp_path, text=bad))
    assert any("check[0]: expected exactly one of" in p and "exists, run" in p for p in problems), problems
    assert any("check[1].expect: not a valid regular expression" in p for p in problems), problems


def test_folders_load_in_order_and_ids_are_unique(tmp_path):
    _folder(tmp_path, "02-second", GOOD.replace("first-service", "second"))
    _folder(tmp_path, "01-first")
    _folder(tmp_path, "03-again")  # the same id as 01-first
    (tmp_path / "notes").mkdir()
    lessons, problems = load_lessons([str(tmp_path)])
    assert [lesson.id for lesson in lessons] == ["first-service", "second"]
    assert len(problems) == 1 and "03-again/lesson.yaml: id: 'first-service' is also the id of" in problems[0]


def test_validate_says_when_there_is_nothing_to_validate(tmp_path):
    assert "no such lesson folder" in validate(str(tmp_path / "nope"))[0]
    assert "no lesson.yaml here" in validate(str(tmp_path))[0]


def test_any_and_within(tmp_path):
    text = GOOD.replace("      - reaches: http://web\n        from: client\n        backends: 1\n",
                        "      - any:\n          - exists: service/web\n          - exists: service/web2\n        within: 5\n"
                        "      - absent: pod/old\n        within: 90\n      - any: [{exists: service/x}]\n")
    folder = _folder(tmp_path, text=text)
    problems = validate(folder)
    assert [p.split(": ", 2)[1] for p in problems] == ["steps[0].check[2].within", "steps[0].check[3].any"], problems
    ok = GOOD.replace("      - reaches: http://web\n        from: client\n        backends: 1\n",
                      "      - any:\n          - exists: service/web\n          - exists: service/web2\n        within: 5\n")
    lesson = load_lesson(_folder(tmp_path, "02-ok", ok))
    check = lesson.steps[0].checks[1]
    assert check.kind == "any" and [a.subject for a in check.alternatives] == ["service/web", "service/web2"]
    assert check.options == {"within": 5}
