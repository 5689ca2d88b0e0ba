"""Labs as data: variants, templates, validation by file and field, grading, scores, reports and signatures."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml

from k8slab.learning import grading, reports
from k8slab.learning.attempt import Attempt
from k8slab.learning.labmodel import LabError, read_lab, render, validate, variant
from k8slab.learning.tutor import BUILTIN_LESSONS, load_messages

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "labs", "01-demo")
MESSAGES = {**load_messages([BUILTIN_LESSONS]), "answer.missing": "missing {task}", "answer.wrong": "wrong {found}"}


@pytest.fixture
def lab_dir(tmp_path):
    folder = tmp_path / "01-demo"
    shutil.copytree(FIXTURE, folder)
    return folder


def edit(folder, change):
    path = folder / "lab.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_the_variant_depends_on_the_lab_and_the_student_only():
    source = read_lab(FIXTURE)
    seen = {student: variant(source, student) for student in ("alice", "bob", "carol", "dave", "erin", "frank")}
    assert variant(source, "alice") == seen["alice"]
    assert {v["app"] for v in seen.values()} == {"shop", "cart"}
    assert {v["replicas"] for v in seen.values()} <= {2, 3}
    assert len({(v["app"], v["replicas"]) for v in seen.values()}) > 1


def test_templates_are_filled_everywhere_and_a_whole_template_keeps_its_type():
    lab = render(read_lab(FIXTURE), "alice")
    values = lab.values
    reach = lab.task("reach")
    assert reach.title == f"The client gets answers from all {values['replicas']} pods of http://{values['app']}"
    assert reach.checks[0].options["backends"] == values["replicas"]  # a number, not "3"
    assert f"deployment {values['app']} " in lab.setup[0]
    assert values["app"] in lab.intro and "{{" not in lab.intro
    assert lab.hosts == (("db.school.example", "192.168.50.10"),)
    assert lab.faults[0].name == "selector matches nothing"
    assert lab.task("2") is lab.task("port") and lab.task("port").is_question
    assert lab.max_score == 15 and lab.time_limit == 10


def test_validate_names_file_and_field(lab_dir):
    assert validate(str(lab_dir)) == []

    def break_it(data):
        data["kind"] = "quiz"
        data["tasks"][0]["points"] = 0
        data["tasks"][0]["title"] = "{{nope}} answers"
        data["tasks"][1]["answer"] = {"equals": "1", "matches": "2"}
        data["tasks"][1]["hints"] = [{"text": "x"}]
        data["variables"]["replicas"] = {"from": 5, "to": 1}
        data["hosts"] = {"db": "10.0.0.5"}
        data["tasks"].append(dict(data["tasks"][0]))

    edit(lab_dir, break_it)
    problems = validate(str(lab_dir))
    text = "\n".join(problems)
    path = os.path.join(str(lab_dir), "lab.yaml")
    assert all(p.startswith(path + ": ") for p in problems)
    for expected in ("kind: expected one of", "tasks[0].points: expected a whole number", "tasks[0].title: {{nope}}",
                     "tasks[1].answer: expected exactly one of: equals", "tasks[1].hints[0]: expected {text: ..., cost: N}",
                     "variables.replicas: expected {from: N, to: M}", "hosts.db: 10.0.0.5: expected an IPv4 address",
                     "tasks[2].id: 'reach' is the id of an earlier task"):
        assert expected in text, expected


def test_a_task_has_checks_or_an_answer_not_both(lab_dir):
    edit(lab_dir, lambda d: d["tasks"][1].update({"check": [{"exists": "service/x"}]}))
    assert any("tasks[1]: expected either `check`" in p for p in validate(str(lab_dir)))


def test_a_missing_intro_is_named(lab_dir):
    os.remove(lab_dir / "intro.md")
    with pytest.raises(LabError) as e:
        read_lab(str(lab_dir))
    assert "intro: intro.md: no such file" in str(e.value)


class Runner:
    """A fake k8slab: command prefix -> (exit code, output)."""

    def __init__(self, answers):
        self.answers, self.ran = answers, []

    def __call__(self, line):
        self.ran.append(line)
        for prefix, answer in self.answers.items():
            if line.startswith(prefix):
                return answer
        return 1, "not found"


def served_by(names):
    return 0, "".join(f"{n}\n--k8slab-answer--\n" for n in names)


def test_grading_scores_passed_tasks_less_their_hints_with_evidence():
    lab = render(read_lab(FIXTURE), "alice")
    n = lab.values["replicas"]
    run = Runner({"kubectl exec client": served_by([f"pod-{i % n}" for i in range(20)])})
    results = grading.grade(lab, run, MESSAGES, {"port": " 9376 "}, {"reach": 1})
    reach, port = results
    assert reach.passed and reach.earned == 8 and reach.hint_cost == 2
    assert reach.checks[0].evidence[0].command.startswith("kubectl exec client -n default -- sh -c")
    assert "pod-0" in reach.checks[0].evidence[0].output
    assert port.passed and port.earned == 5
    assert grading.score(results) == 13


class FakeClock:
    """`within: N` retries without waiting: sleeping moves the clock on."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_failed_tasks_earn_nothing_and_say_why(monkeypatch):
    from k8slab.learning import checks

    monkeypatch.setattr(checks, "time", FakeClock())
    lab = render(read_lab(FIXTURE), "alice")
    run = Runner({"kubectl exec client": served_by(["only-one"] * 20)})
    reach, port = grading.grade(lab, run, MESSAGES, {}, {"reach": 2, "port": 1})
    assert not reach.passed and reach.earned == 0
    assert reach.checks[0].why == "The Service's selector must match the pods' labels."
    assert "at least" in reach.checks[0].message
    assert not port.passed and port.checks[0].message == "missing port"
    wrong = grading.grade(lab, run, MESSAGES, {"port": "80"}, {})[1]
    assert wrong.checks[0].message == "wrong 80"


def test_hints_never_cost_more_than_the_task():
    lab = render(read_lab(FIXTURE), "alice")
    run = Runner({"kubectl exec client": served_by([f"p{i % 3}" for i in range(20)])})
    assert lab.task("reach").hints[1].cost == 5
    results = grading.grade(lab, run, MESSAGES, {"port": "9376"}, {"reach": 2, "port": 9})
    assert [r.earned for r in results] == [3, 4]


def test_an_answer_from_a_command_runs_it_in_the_graded_cluster(lab_dir):
    edit(lab_dir, lambda d: d["tasks"][1].update({"answer": {"command": "kubectl get svc {{app}} -o jsonpath=x"}}))
    lab = render(read_lab(str(lab_dir)), "bob")
    run = Runner({"kubectl get svc": (0, "9376\n")})
    assert grading.judge_answer(lab.task("port"), "9376", run, MESSAGES).ok
    assert not grading.judge_answer(lab.task("port"), "80", run, MESSAGES).ok


def signed_report(student="alice", code=None, key=b"k" * 32):
    lab = render(read_lab(FIXTURE), student)
    run = Runner({"kubectl exec client": served_by([f"p{i % 3}" for i in range(20)])})
    results = grading.grade(lab, run, MESSAGES, {"port": "9376"}, {})
    report = reports.build(lab, results, started=1000.0, ended=1600.0, graded_by="student",
                           answers={"port": "9376"}, version="test")
    return reports.sign(report, code or reports.student_code(key, student)), key


def test_a_signed_report_verifies_and_any_edit_is_rejected():
    report, key = signed_report()
    assert reports.verify(report, key) == (True, "")
    assert report["seconds"] == 600 and report["score"] == report["max_score"] == 15
    for change in (lambda r: r.update(score=99), lambda r: r["tasks"][0].update(earned=0),
                   lambda r: r.update(student="bob"), lambda r: r["tasks"][0]["checks"][0].update(ok=False)):
        tampered = yaml.safe_load(yaml.safe_dump(report))
        change(tampered)
        ok, why = reports.verify(tampered, key)
        assert not ok and "changed after it was signed" in why


def test_a_report_signed_with_another_students_code_or_unsigned_is_rejected():
    key = b"k" * 32
    report, _ = signed_report("alice", code=reports.student_code(key, "bob"), key=key)
    assert not reports.verify(report, key)[0]
    unsigned = {k: v for k, v in report.items() if k != "signature"}
    assert "not signed" in reports.verify(unsigned, key)[1]
    assert not reports.verify(signed_report("alice")[0], b"another key" + b"x" * 21)[0]


def test_student_codes_differ_per_student_and_key(tmp_path):
    key_path = tmp_path / "class.key"
    reports.write_key(str(key_path), reports.new_key())
    key = reports.read_key(str(key_path))
    assert oct(key_path.stat().st_mode & 0o777) == "0o600"
    codes = {reports.student_code(key, s) for s in ("alice", "bob", "carol")}
    assert len(codes) == 3 and all(len(c) == reports.CODE_LENGTH for c in codes)
    with pytest.raises(FileExistsError):
        reports.write_key(str(key_path), reports.new_key())
    (tmp_path / "bad.key").write_text("hello\n")
    with pytest.raises(ValueError, match="not a k8slab instructor key"):
        reports.read_key(str(tmp_path / "bad.key"))


def test_the_class_summary_counts_passes_and_common_mistakes():
    passed, _ = signed_report("alice")
    failed = yaml.safe_load(yaml.safe_dump(passed))
    failed["student"] = "bob"
    failed["tasks"][0].update(passed=False, earned=0)
    failed["tasks"][0]["checks"][0].update(ok=False, why="Fix the selector.")
    failed["score"] = 5
    rows = reports.class_rows([failed, passed])
    assert [(r["student"], r["score"], r["percent"], r["reach"]) for r in rows] == [("alice", 15, 100, 10),
                                                                                    ("bob", 5, 33, 0)]
    reach = next(t for t in reports.task_summary([passed, failed]) if t["id"] == "reach")
    assert (reach["passed"], reach["graded"]) == (1, 2)
    assert reach["mistakes"] == [("Fix the selector.", 1)]


def test_the_clock_of_an_attempt():
    lab = render(read_lab(FIXTURE), "alice")
    attempt = Attempt(lab=lab.id, path=lab.path, student="alice", started=1000.0)
    assert attempt.time_left(lab, now=1000.0 + 60) == 540
    assert not attempt.over_time(lab, now=1599.0) and attempt.over_time(lab, now=1600.0)
