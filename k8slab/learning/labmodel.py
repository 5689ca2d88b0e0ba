"""Labs as data: a lab folder, each student's variant of it, and the file and field of every problem.

A lab is read in two stages. `read_lab` parses the folder into a LabSource (the YAML as written,
templates and all); `render` fills in one student's values and builds the Lab the engine runs. The
variant comes from the lab's id and the student's name alone, so the instructor's grader rebuilds
exactly the cluster a student had without being told anything but the name.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import random
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import yaml

from k8slab.learning.model import ID, Check, Where, parse_check

KINDS = ("troubleshooting", "build", "exam")
LAB_KEYS = {"id", "title", "summary", "kind", "minutes", "time_limit", "feedback", "variables", "hosts",
            "intro", "setup", "faults", "tasks"}
TASK_KEYS = {"id", "title", "text", "points", "check", "answer", "hints", "solution", "fixes"}
ANSWER_KEYS = ("equals", "matches", "command")
TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
FOLDER = re.compile(r"^\d\d-")
SAMPLE_STUDENT = "student"  # whose variant `validate` renders


@dataclass(frozen=True)
class Hint:
    """One hint of a task, and the points it costs."""

    text: str
    cost: int


@dataclass(frozen=True)
class Task:
    """A task: its points, and either checks on the cluster or a question with its expected answer."""

    id: str
    title: str
    points: int
    checks: Tuple[Check, ...] = ()
    answer: Dict[str, str] = field(default_factory=dict)  # one of equals / matches / command
    text: str = ""
    hints: Tuple[Hint, ...] = ()
    solution: Tuple[str, ...] = ()
    fixes: str = ""

    @property
    def is_question(self) -> bool:
        """Is this task answered with `lab answer` rather than by the cluster's state?"""
        return bool(self.answer)


@dataclass(frozen=True)
class Fault:
    """A fault set up out of sight: its name (for the instructor) and its commands."""

    name: str
    commands: Tuple[str, ...]


@dataclass(frozen=True)
class Lab:
    """One student's lab: every template filled in."""

    id: str
    title: str
    summary: str
    kind: str
    minutes: int
    intro: str
    tasks: Tuple[Task, ...]
    path: str
    student: str
    values: Dict[str, object] = field(default_factory=dict)
    time_limit: Optional[int] = None  # minutes
    feedback: bool = True
    hosts: Tuple[Tuple[str, str], ...] = ()
    setup: Tuple[str, ...] = ()
    faults: Tuple[Fault, ...] = ()

    @property
    def max_score(self) -> int:
        """The points of every task."""
        return sum(t.points for t in self.tasks)

    def task(self, ref: str) -> Optional[Task]:
        """A task by id or by number (1 is the first)."""
        for i, task in enumerate(self.tasks, 1):
            if ref in (task.id, str(i)):
                return task
        return None


@dataclass(frozen=True)
class LabSource:
    """A lab folder as written: its YAML (templates unfilled) and its intro text."""

    path: str
    data: dict
    intro: str

    @property
    def id(self) -> str:
        return str(self.data.get("id") or "")

    @property
    def title(self) -> str:
        return str(self.data.get("title") or "")


class LabError(Exception):
    """A lab folder with problems; `problems` names the file and field of each."""

    def __init__(self, problems: List[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def read_lab(folder: str) -> LabSource:
    """Parse a lab folder; raise LabError if its YAML or intro cannot be read."""
    path = os.path.join(folder, "lab.yaml")
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except OSError as e:
        raise LabError([f"{path}: cannot read: {e.strerror}"])
    except yaml.YAMLError as e:
        raise LabError([f"{path}: not valid YAML: {e}"])
    if not isinstance(data, dict):
        raise LabError([f"{path}: expected a mapping with id, title, kind, tasks..."])
    intro = ""
    name = data.get("intro")
    if isinstance(name, str) and name.strip():
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                intro = f.read()
        except OSError:
            raise LabError([f"{path}: intro: {name}: no such file next to lab.yaml"])
    return LabSource(path=folder, data=data, intro=intro)


def variant(source: LabSource, student: str) -> Dict[str, object]:
    """The student's values of the lab's variables: the same for the same lab and name, always."""
    seed = int.from_bytes(hashlib.sha256(f"{source.id}\0{student}".encode()).digest()[:8], "big")
    rng = random.Random(seed)
    values: Dict[str, object] = {}
    variables = source.data.get("variables") or {}
    if isinstance(variables, dict):
        for name in sorted(variables):
            spec = variables[name]
            if isinstance(spec, list) and spec:
                values[name] = rng.choice(spec)
            elif isinstance(spec, dict) and _is_int(spec.get("from")) and _is_int(spec.get("to")) \
                    and spec["from"] <= spec["to"]:
                values[name] = rng.randint(spec["from"], spec["to"])
    values["student"] = student
    return values


def render(source: LabSource, student: str) -> Lab:
    """The lab as `student` gets it; raise LabError listing every problem found."""
    problems: List[str] = []
    path = os.path.join(source.path, "lab.yaml")
    where = Where(path, problems)
    _check_variables(where, source.data.get("variables"))
    values = variant(source, student)
    data = _fill(source.data, values, where, "")
    for key in sorted(set(data) - LAB_KEYS):
        where.add(key, f"unknown field (known: {', '.join(sorted(LAB_KEYS))})")
    lab_id = where.text(data, "id")
    if lab_id and not ID.match(lab_id):
        where.add("id", f"{lab_id!r} must be lowercase letters, digits and dashes")
    kind = data.get("kind")
    if kind not in KINDS:
        where.add("kind", f"expected one of: {', '.join(KINDS)}")
    minutes = _whole(where, data, "minutes", 1, 240, required=True)
    time_limit = _whole(where, data, "time_limit", 1, 240, required=False)
    feedback = data.get("feedback", True)
    if not isinstance(feedback, bool):
        where.add("feedback", "expected true or false")
    if not isinstance(data.get("intro"), str) or not source.intro.strip():
        where.add("intro", "expected the name of the scenario's Markdown file, next to lab.yaml")
    tasks = _tasks(where, data.get("tasks"))
    lab = Lab(id=lab_id, title=where.text(data, "title"), summary=where.text(data, "summary"),
              kind=str(kind), minutes=minutes or 0, intro=_fill(source.intro, values, where, "intro").strip(),
              tasks=tuple(tasks), path=source.path, student=student, values=values, time_limit=time_limit,
              feedback=feedback is not False, hosts=_hosts(where, data.get("hosts")),
              setup=tuple(where.strings(data, "setup")), faults=_faults(where, data.get("faults")))
    if problems:
        raise LabError(problems)
    return lab


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(where: Where, data: dict, key: str, low: int, high: int, *, required: bool) -> Optional[int]:
    value = data.get(key)
    if value is None and not required:
        return None
    if not _is_int(value) or not low <= value <= high:
        where.add(key, f"expected a whole number of minutes ({low}-{high})")
        return None
    return value


def _check_variables(where: Where, variables) -> None:
    if variables is None:
        return
    if not isinstance(variables, dict):
        where.add("variables", "expected a mapping: NAME: [choices] or NAME: {from: N, to: M}")
        return
    for name, spec in variables.items():
        if not isinstance(name, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) or name == "student":
            where.add(f"variables.{name}", "a variable's name is letters, digits and _ (and not `student`)")
        elif isinstance(spec, list):
            if not spec or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in spec):
                where.add(f"variables.{name}", "expected a non-empty list of strings or numbers")
        elif isinstance(spec, dict):
            if set(spec) != {"from", "to"} or not (_is_int(spec.get("from")) and _is_int(spec.get("to"))) \
                    or spec["from"] > spec["to"]:
                where.add(f"variables.{name}", "expected {from: N, to: M}, whole numbers with N <= M")
        else:
            where.add(f"variables.{name}", "expected a list of choices or {from: N, to: M}")


def _fill(value, values: Dict[str, object], where: Where, at: str):
    """Replace {{name}} everywhere; a string that is one template alone takes the value's type."""
    if isinstance(value, dict):
        return {k: _fill(v, values, where, f"{at}.{k}" if at else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values, where, f"{at}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str) or "{{" not in value:
        return value
    whole = TEMPLATE.fullmatch(value.strip())
    if whole and whole.group(1) in values:
        return values[whole.group(1)]

    def one(match: "re.Match") -> str:
        name = match.group(1)
        if name not in values:
            where.add(at, f"{{{{{name}}}}}: no such variable (variables: {', '.join(sorted(values))})")
            return match.group(0)
        return str(values[name])

    return TEMPLATE.sub(one, value)


def _tasks(where: Where, items) -> List[Task]:
    if not isinstance(items, list) or not items:
        where.add("tasks", "expected a list of at least one task")
        return []
    tasks, seen = [], set()
    for i, item in enumerate(items):
        task = _task(where.at(f"tasks[{i}]"), item)
        if task is None:
            continue
        if task.id in seen:
            where.at(f"tasks[{i}]").add("id", f"{task.id!r} is the id of an earlier task too")
        seen.add(task.id)
        tasks.append(task)
    return tasks


def _task(where: Where, data) -> Optional[Task]:
    if not isinstance(data, dict):
        where.add("", "expected a mapping with id, title, points, check (or answer), hints and solution")
        return None
    for key in sorted(set(data) - TASK_KEYS):
        where.add(key, f"unknown field (known: {', '.join(sorted(TASK_KEYS))})")
    task_id = where.text(data, "id")
    if task_id and not ID.match(task_id):
        where.add("id", f"{task_id!r} must be lowercase letters, digits and dashes")
    points = data.get("points")
    if not _is_int(points) or not 1 <= points <= 100:
        where.add("points", "expected a whole number of points (1-100)")
        points = 0
    checks: List[Check] = []
    answer: Dict[str, str] = {}
    if ("check" in data) == ("answer" in data):
        where.add("", "expected either `check` (the cluster's state) or `answer` (a question), not both")
    elif "check" in data:
        items = data["check"]
        if not isinstance(items, list) or not items:
            where.add("check", "expected a list of at least one check")
        else:
            checks = [c for c in (parse_check(where.at(f"check[{i}]"), item) for i, item in enumerate(items)) if c]
    else:
        answer = _answer(where, data["answer"])
    hints = _hints(where, data.get("hints"))
    solution = where.strings(data, "solution")
    if not solution:
        where.add("solution", "expected the reference solution: a list of k8slab commands")
    text = data.get("text") or ""
    if not isinstance(text, str):
        where.add("text", "expected Markdown text")
        text = ""
    return Task(id=task_id, title=where.text(data, "title"), points=points, checks=tuple(checks), answer=answer,
                text=text.strip(), hints=hints, solution=tuple(solution), fixes=str(data.get("fixes") or ""))


def _answer(where: Where, data) -> Dict[str, str]:
    if not isinstance(data, dict) or len([k for k in ANSWER_KEYS if k in data]) != 1 or set(data) - set(ANSWER_KEYS):
        where.add("answer", "expected exactly one of: equals: TEXT, matches: REGEX, command: K8SLAB-COMMAND")
        return {}
    key, value = next(iter(data.items()))
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        where.add(f"answer.{key}", "expected a non-empty string")
        return {}
    if key == "matches":
        try:
            re.compile(str(value))
        except re.error as e:
            where.add("answer.matches", f"not a valid regular expression: {e}")
    return {key: str(value).strip()}


def _hints(where: Where, items) -> Tuple[Hint, ...]:
    if not isinstance(items, list) or not items:
        where.add("hints", "expected a list of at least one hint: {text: ..., cost: N}")
        return ()
    hints = []
    for i, item in enumerate(items):
        at = where.at(f"hints[{i}]")
        if not isinstance(item, dict) or set(item) != {"text", "cost"}:
            at.add("", "expected {text: ..., cost: N}")
            continue
        if not _is_int(item["cost"]) or not 0 <= item["cost"] <= 100:
            at.add("cost", "expected a whole number of points (0-100)")
            continue
        if not isinstance(item["text"], str) or not item["text"].strip():
            at.add("text", "expected a non-empty string")
            continue
        hints.append(Hint(text=item["text"].strip(), cost=item["cost"]))
    return tuple(hints)


def _hosts(where: Where, data) -> Tuple[Tuple[str, str], ...]:
    if data is None:
        return ()
    if not isinstance(data, dict):
        where.add("hosts", "expected a mapping: NAME: IP-ADDRESS")
        return ()
    hosts = []
    for name, ip in data.items():
        try:
            address = ipaddress.ip_address(str(ip))
        except ValueError:
            where.add(f"hosts.{name}", f"{ip!r} is not an IP address")
            continue
        if address.version != 4 or address in ipaddress.ip_network("10.0.0.0/8") \
                or address in ipaddress.ip_network("172.18.0.0/16"):
            where.add(f"hosts.{name}", f"{ip}: expected an IPv4 address outside the cluster's networks "
                                       "(not 10.x or 172.18.x)")
            continue
        hosts.append((str(name), str(address)))
    return tuple(hosts)


def _faults(where: Where, items) -> Tuple[Fault, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        where.add("faults", "expected a list of {name: ..., commands: [...]}")
        return ()
    faults = []
    for i, item in enumerate(items):
        at = where.at(f"faults[{i}]")
        if not isinstance(item, dict) or set(item) != {"name", "commands"}:
            at.add("", "expected {name: ..., commands: [...]}")
            continue
        commands = at.strings(item, "commands")
        if not commands:
            at.add("commands", "expected a list of k8slab commands")
        faults.append(Fault(name=at.text(item, "name"), commands=tuple(commands)))
    return tuple(faults)


def lab_folders(root: str) -> List[str]:
    """The lab folders directly in `root` (named NN-...), in order."""
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    return [os.path.join(root, n) for n in names if FOLDER.match(n) and os.path.isdir(os.path.join(root, n))]


def load_sources(roots: List[str]) -> Tuple[List[LabSource], List[str]]:
    """Every lab under these folders that renders, and the problems of those that do not."""
    sources: List[LabSource] = []
    problems: List[str] = []
    seen: Dict[str, str] = {}
    for root in roots:
        for folder in lab_folders(root):
            try:
                source = read_lab(folder)
                render(source, SAMPLE_STUDENT)
            except LabError as e:
                problems += e.problems
                continue
            if source.id in seen:
                problems.append(f"{folder}/lab.yaml: id: {source.id!r} is also the id of {seen[source.id]}")
                continue
            seen[source.id] = folder
            sources.append(source)
    return sources, problems


def validate(path: str) -> List[str]:
    """Every problem of one lab folder, or of each lab folder inside `path`."""
    if os.path.exists(os.path.join(path, "lab.yaml")):
        try:
            render(read_lab(path), SAMPLE_STUDENT)
            return []
        except LabError as e:
            return e.problems
    if not os.path.isdir(path):
        return [f"{path}: no such lab folder"]
    if not lab_folders(path):
        return [f"{path}: no lab.yaml here, and no lab folders (named NN-...) in it"]
    return load_sources([path])[1]


def find(sources: List[LabSource], ref: str) -> Optional[LabSource]:
    """A lab by id, by number (its folder's NN), by folder name or by path."""
    for source in sources:
        base = os.path.basename(source.path.rstrip("/"))
        number = base[:2]
        if ref in (source.id, number, number.lstrip("0"), base) or os.path.abspath(ref) == os.path.abspath(source.path):
            return source
    return None
