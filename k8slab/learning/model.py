"""Lessons as data: loading a lesson folder, and naming the file and field of every problem in it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import yaml

CHECK_KINDS = ("exists", "absent", "count", "run", "resolves", "reaches", "rule")
# The keys each kind of check may carry besides its own and `why`.
CHECK_KEYS = {
    "exists": {"namespace", "field", "equals", "matches"},
    "absent": {"namespace"},
    "count": {"namespace", "selector", "ready", "equals", "min"},
    "run": {"expect", "reject", "exit"},
    "resolves": {"from", "namespace", "addresses", "matches"},
    "reaches": {"from", "namespace", "tries", "backends", "backends_max"},
    "rule": {"node"},
}
LESSON_KEYS = {"id", "title", "summary", "minutes", "requires", "seeds", "setup", "steps"}
STEP_KEYS = {"title", "text", "try", "check", "hints", "solution", "explain"}
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FOLDER = re.compile(r"^\d\d-")


@dataclass(frozen=True)
class Check:
    """One declarative check: its kind, its subject (a name, a command...), its options.

    An `any` check holds alternatives and passes when one of them does; `within: N` on any check
    retries it for up to N seconds (for states that take a moment to come, or last only a moment).
    """

    kind: str
    subject: str
    options: Dict[str, object] = field(default_factory=dict)
    why: str = ""
    alternatives: Tuple["Check", ...] = ()


@dataclass(frozen=True)
class Step:
    """One step of a lesson."""

    title: str
    text: str  # Markdown
    checks: Tuple[Check, ...]
    try_commands: Tuple[str, ...] = ()
    hints: Tuple[str, ...] = ()
    solution: Tuple[str, ...] = ()
    explain: str = ""


@dataclass(frozen=True)
class Lesson:
    """A lesson: metadata, the commands that prepare the cluster, and its steps."""

    id: str
    title: str
    summary: str
    minutes: int
    steps: Tuple[Step, ...]
    path: str
    requires: Tuple[str, ...] = ()
    seeds: Tuple[str, ...] = ()
    setup: Tuple[str, ...] = ()


class LessonError(Exception):
    """A lesson folder with problems; `problems` names the file and field of each."""

    def __init__(self, problems: List[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def load_lesson(folder: str) -> Lesson:
    """Read a lesson folder; raise LessonError listing every problem found."""
    problems: List[str] = []
    path = os.path.join(folder, "lesson.yaml")
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except OSError as e:
        raise LessonError([f"{path}: cannot read: {e.strerror}"])
    except yaml.YAMLError as e:
        raise LessonError([f"{path}: not valid YAML: {e}"])
    if not isinstance(data, dict):
        raise LessonError([f"{path}: expected a mapping with id, title, summary, minutes and steps"])
    where = Where(path, problems)
    for key in sorted(set(data) - LESSON_KEYS):
        where.add(key, f"unknown field (known: {', '.join(sorted(LESSON_KEYS))})")
    lesson_id = where.text(data, "id")
    if lesson_id and not ID.match(lesson_id):
        where.add("id", f"{lesson_id!r} must be lowercase letters, digits and dashes")
    minutes = data.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 120:
        where.add("minutes", "expected a whole number of minutes (1-120)")
    steps_data = data.get("steps")
    steps: List[Step] = []
    if not isinstance(steps_data, list) or not steps_data:
        where.add("steps", "expected a list of at least one step")
    else:
        for i, step in enumerate(steps_data):
            parsed = _step(folder, where.at(f"steps[{i}]"), step)
            if parsed is not None:
                steps.append(parsed)
    lesson = Lesson(id=lesson_id, title=where.text(data, "title"), summary=where.text(data, "summary"),
                    minutes=minutes if isinstance(minutes, int) else 0, steps=tuple(steps), path=folder,
                    requires=tuple(where.strings(data, "requires")), seeds=tuple(str(s) for s in data.get("seeds") or ()),
                    setup=tuple(where.strings(data, "setup")))
    if problems:
        raise LessonError(problems)
    return lesson


def _step(folder: str, where: "Where", data) -> Optional[Step]:
    if not isinstance(data, dict):
        where.add("", "expected a mapping with title, text, check, hints and solution")
        return None
    for key in sorted(set(data) - STEP_KEYS):
        where.add(key, f"unknown field (known: {', '.join(sorted(STEP_KEYS))})")
    text = ""
    name = where.text(data, "text")
    if name:
        text_path = os.path.join(folder, name)
        try:
            with open(text_path, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            where.add("text", f"{name}: no such file next to lesson.yaml")
    checks_data = data.get("check")
    checks: List[Check] = []
    if not isinstance(checks_data, list) or not checks_data:
        where.add("check", "expected a list of at least one check")
    else:
        for i, item in enumerate(checks_data):
            check = parse_check(where.at(f"check[{i}]"), item)
            if check is not None:
                checks.append(check)
    solution = where.strings(data, "solution")
    if not solution:
        where.add("solution", "expected the reference solution: a list of k8slab commands")
    hints = where.strings(data, "hints")
    if not hints:
        where.add("hints", "expected at least one hint")
    explain = data.get("explain") or ""
    if not isinstance(explain, str):
        where.add("explain", "expected Markdown text")
        explain = ""
    return Step(title=where.text(data, "title"), text=text, checks=tuple(checks),
                try_commands=tuple(where.strings(data, "try")), hints=tuple(hints), solution=tuple(solution),
                explain=explain.strip())


def parse_check(where: "Where", data) -> Optional[Check]:
    """One check from its YAML mapping (None, with the problems added, if it is not valid)."""
    if not isinstance(data, dict):
        where.add("", f"expected a mapping with one of: {', '.join(CHECK_KINDS)}")
        return None
    kinds = [k for k in CHECK_KINDS + ("any",) if k in data]
    if len(kinds) != 1:
        where.add("", f"expected exactly one of {', '.join(CHECK_KINDS + ('any',))}; found {', '.join(kinds) or 'none'}")
        return None
    kind = kinds[0]
    if kind == "any":
        return _any(where, data)
    subject = data[kind]
    if not isinstance(subject, str) or not subject.strip():
        where.add(kind, "expected a non-empty string")
        return None
    allowed = CHECK_KEYS[kind] | {kind, "why", "within"}
    for key in sorted(set(data) - allowed):
        where.add(key, f"not an option of `{kind}` (options: {', '.join(sorted(CHECK_KEYS[kind])) or 'none'})")
    options = {k: v for k, v in data.items() if k not in (kind, "why")}
    _check_options(where, kind, subject, options)
    return Check(kind=kind, subject=subject.strip(), options=options, why=str(data.get("why") or "").strip())


def _any(where: "Where", data: dict) -> Optional[Check]:
    items = data["any"]
    if not isinstance(items, list) or len(items) < 2:
        where.add("any", "expected a list of at least two checks, one of which must pass")
        return None
    for key in sorted(set(data) - {"any", "why", "within"}):
        where.add(key, "not an option of `any` (options: within)")
    alternatives = [parse_check(where.at(f"any[{i}]"), item) for i, item in enumerate(items)]
    options = {k: v for k, v in data.items() if k == "within"}
    _within(where, options)
    return Check(kind="any", subject="", options=options, why=str(data.get("why") or "").strip(),
                 alternatives=tuple(a for a in alternatives if a is not None))


def _within(where: "Where", options: dict) -> None:
    value = options.get("within")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 60):
        where.add("within", "expected a number of seconds (up to 60)")


def _check_options(where: "Where", kind: str, subject: str, options: dict) -> None:
    _within(where, options)
    if kind in ("exists", "absent") and subject.count("/") != 1:
        where.add(kind, f"{subject!r}: expected KIND/NAME, e.g. service/web")
    if kind == "exists" and ("equals" in options or "matches" in options) and "field" not in options:
        where.add("field", "`equals` and `matches` need the field to compare, e.g. field: '{.spec.type}'")
    if kind in ("resolves", "reaches") and "from" not in options:
        where.add("from", f"`{kind}` needs the pod (or node, or ext) to run from")
    for key in ("expect", "reject", "matches"):
        if key in options:
            try:
                re.compile(str(options[key]))
            except re.error as e:
                where.add(key, f"not a valid regular expression: {e}")
    if kind == "rule":
        try:
            re.compile(subject)
        except re.error as e:
            where.add("rule", f"not a valid regular expression: {e}")
    for key in ("equals", "min", "tries", "backends", "backends_max", "addresses", "exit"):
        if key in options and kind != "exists" and (not isinstance(options[key], int) or isinstance(options[key], bool)):
            where.add(key, "expected a whole number")


class Where:
    """Collects problems as `FILE: FIELD: message`."""

    def __init__(self, path: str, problems: List[str], prefix: str = ""):
        self.path, self.problems, self.prefix = path, problems, prefix

    def at(self, prefix: str) -> "Where":
        return Where(self.path, self.problems, f"{self.prefix}.{prefix}" if self.prefix else prefix)

    def add(self, key: str, message: str) -> None:
        name = ".".join(p for p in (self.prefix, key) if p)
        self.problems.append(f"{self.path}: {name}: {message}" if name else f"{self.path}: {message}")

    def text(self, data: dict, key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.add(key, "expected a non-empty string")
            return ""
        return value.strip()

    def strings(self, data: dict, key: str) -> List[str]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(key, "expected a list of strings")
            return []
        return [v.rstrip("\n") for v in value]


def lesson_folders(root: str) -> List[str]:
    """The lesson folders directly in `root` (named NN-...), in order."""
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    return [os.path.join(root, n) for n in names if FOLDER.match(n) and os.path.isdir(os.path.join(root, n))]


def load_lessons(roots: List[str]) -> Tuple[List[Lesson], List[str]]:
    """Every lesson under these folders, and the problems of those that could not be loaded."""
    lessons: List[Lesson] = []
    problems: List[str] = []
    seen: Dict[str, str] = {}
    for root in roots:
        for folder in lesson_folders(root):
            try:
                lesson = load_lesson(folder)
            except LessonError as e:
                problems += e.problems
                continue
            if lesson.id in seen:
                problems.append(f"{folder}/lesson.yaml: id: {lesson.id!r} is also the id of {seen[lesson.id]}")
                continue
            seen[lesson.id] = folder
            lessons.append(lesson)
    return lessons, problems


def validate(path: str) -> List[str]:
    """Every problem of one lesson folder, or of each lesson folder inside `path`."""
    if os.path.exists(os.path.join(path, "lesson.yaml")):
        try:
            load_lesson(path)
            return []
        except LessonError as e:
            return e.problems
    if not os.path.isdir(path):
        return [f"{path}: no such lesson folder"]
    folders = lesson_folders(path)
    if not folders:
        return [f"{path}: no lesson.yaml here, and no lesson folders (named NN-...) in it"]
    return load_lessons([path])[1]
