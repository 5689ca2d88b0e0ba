"""A lab in a running cluster: setting its scenario up, replaying a submission, grading what is there.

The student's shell (`lab start`, `lab submit`) and the instructor's tools (`k8slab lab check`,
`lab grade`'s replays) share these steps, so a student's own score and the instructor's replay judge
the same way.
"""

from __future__ import annotations

import os
import time
from typing import Dict, Iterator, List, Tuple

import yaml

from k8slab.errors import UserError
from k8slab.learning import grading
from k8slab.learning.labmodel import Lab, LabSource, load_sources
from k8slab.learning.submission import Submission, dump_state, state_documents, STATE_KINDS
from k8slab.learning.tutor import BUILTIN_LESSONS, load_messages
from k8slab.shell.lessons import quiet, split_heredoc

BUILTIN_LABS = os.path.join(os.path.dirname(BUILTIN_LESSONS), "labs")
WORKLOAD_WAIT = 10.0  # seconds to let a replayed state's pods come up
STEADY = 2.0  # ... or until nothing has changed for this long


def lab_roots(extra: List[str]) -> List[str]:
    """The lab folders: the repository's, then instructors' own (--labs)."""
    return [BUILTIN_LABS] + [os.path.abspath(d) for d in extra]


def sources(extra: List[str]) -> Tuple[List[LabSource], List[str]]:
    """Every lab that loads, and the problems of those that do not."""
    return load_sources(lab_roots(extra))


def messages(extra: List[str]) -> Dict[str, str]:
    """The checks' sentences (shared with lessons) and the labs' own."""
    found = load_messages([BUILTIN_LESSONS])
    for root in lab_roots(extra):
        path = os.path.join(root, "messages.yaml")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                found.update({str(k): str(v) for k, v in (yaml.safe_load(f) or {}).items()})
    return found


def run_lines(session, lines, what: str) -> None:
    """Run commands out of sight; the first that fails stops the lab with its output."""
    for line in lines:
        _settle(session)
        code, out = quiet(session, *split_heredoc(line))
        if code:
            raise UserError(f"error: the lab's {what} failed at `{line.splitlines()[0]}`:\n{out.rstrip()}")


def prepare(session, lab: Lab, *, reset: bool = True) -> None:
    """Give the cluster the lab's scenario: its outside hosts, its objects, and its hidden faults."""
    cluster = session.cluster
    if reset and not cluster.reset():
        raise UserError("error: the cluster took too long to reset; try `lab start` again")
    add_hosts(session, lab)
    run_lines(session, lab.setup, "setup")
    for fault in lab.faults:
        run_lines(session, fault.commands, "setup")
    _settle(session)


def add_hosts(session, lab: Lab) -> None:
    """The lab's extra hosts outside the cluster, with their names in the cluster DNS."""
    for name, ip in lab.hosts:
        session.cluster.add_outside_host(name, ip)


def current_state(session) -> List[dict]:
    """The student's objects, as manifests (see learning.submission)."""
    store = session.cluster.store
    return state_documents(obj for kind in STATE_KINDS for obj in store.list(kind))


def replay(session, lab: Lab, submission: Submission) -> None:
    """Rebuild a student's cluster in this fresh one: their whole state, or the scenario plus their files."""
    if submission.complete:
        add_hosts(session, lab)
        if submission.state.strip():
            code, out = quiet(session, "kubectl create -f -", submission.state)
            if code:
                raise UserError(f"error: {submission.folder}: its state.yaml could not be created:\n{out.rstrip()}")
    else:
        prepare(session, lab, reset=False)
        for text in submission.manifests:
            apply_by_hand(session, text)
    wait_for_pods(session)


def apply_by_hand(session, text: str) -> None:
    """A student's own manifests, applied on the scenario as `kubectl apply` would. An object whose
    change Kubernetes refuses in place (an immutable field: clusterIP, a pod's spec) is recreated, as
    the student would have had to do; if the new one is not valid either, the old one stays. A file
    that does not parse counts against them, quietly."""
    from k8slab.api import kinds
    from k8slab.api.yamlio import load_manifests
    from k8slab.learning.submission import manifest_of

    try:
        docs = load_manifests(text, "submission")
    except UserError:
        return
    for doc in docs:
        one = yaml.safe_dump(doc, sort_keys=False)
        code, _ = quiet(session, "kubectl apply -f -", one)
        if not code:
            continue
        try:
            info = kinds.resolve(str(doc.get("kind")))
            meta = doc.get("metadata") or {}
            old = session.cluster.store.try_get(info.kind, str(meta.get("name")),
                                                (meta.get("namespace") or "default") if info.namespaced else None)
        except Exception:  # not a kind k8slab serves, or no name: apply said why already
            continue
        if old is None:
            continue
        quiet(session, "kubectl delete -f - --grace-period=0 --force", one)
        code, _ = quiet(session, "kubectl create -f -", one)
        if code:
            quiet(session, "kubectl create -f -", yaml.safe_dump(manifest_of(old), sort_keys=False))


def wait_for_pods(session, timeout: float = WORKLOAD_WAIT) -> None:
    """Let replayed workloads come up: until every pod is Ready, or nothing has changed for a while."""
    store = session.cluster.store
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        pods = [p for p in store.list("Pod") if p.metadata.namespace != "kube-system"]
        ready = tuple(sorted((p.metadata.namespace, p.metadata.name, _ready(p)) for p in pods))
        if pods and all(r[2] for r in ready):
            break
        if ready != last:
            last, since = ready, time.monotonic()
        elif time.monotonic() - since >= STEADY:
            break
        time.sleep(0.1)
    _settle(session)


def _ready(pod) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in (pod.status.conditions or ()))


def grade_here(session, lab: Lab, msgs: Dict[str, str], answers: Dict[str, str],
               hints: Dict[str, int]) -> List[grading.TaskResult]:
    """Every task of the lab, judged against this cluster now."""
    _settle(session)
    return grading.grade(lab, lambda line: quiet(session, line), msgs, answers, hints)


def solve(session, lab: Lab) -> Iterator[str]:
    """Run the lab's reference solution (every task's, in order); yields each line that fails.

    Answers (`lab answer TASK TEXT`) go where the `lab` command keeps them: the session's attempt."""
    for task in lab.tasks:
        for line in task.solution:
            _settle(session)
            code, out = quiet(session, *split_heredoc(line))
            if code:
                yield f"task {task.id}: solution line failed ({code}): {line.splitlines()[0]}\n    {out.strip()}"


def state_text(session) -> str:
    """The student's state as one YAML text."""
    return dump_state(current_state(session))


def _settle(session) -> None:
    settle = getattr(session.cluster, "settle", None)
    if settle is not None:
        settle()
