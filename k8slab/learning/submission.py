"""Submissions: a student's final cluster state as manifests, their answers, and the folder they hand in.

The state is every object the student could have made or changed (not what controllers derive from
them: a Deployment's ReplicaSets and pods, a Service's Endpoints and EndpointSlices), with what the
cluster filled in for itself removed (status, uid, resourceVersion...), but with what a replay must
keep to be faithful: a Service's clusterIP and nodePorts, a bare pod's node.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional

import yaml

from k8slab.api.codec import to_dict

STATE_KINDS = ("Namespace", "Service", "Endpoints", "EndpointSlice", "Deployment", "StatefulSet", "DaemonSet",
               "ReplicaSet", "Pod")
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
MANAGED_LABELS = ("endpoints.kubernetes.io/managed-by", "endpointslice.kubernetes.io/managed-by")
DROPPED_METADATA = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields",
                    "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "ownerReferences")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
SUBMISSION_FILE = "submission.yaml"
STATE_FILE = "state.yaml"
HISTORY_FILE = "history.txt"
ANSWERS_FILE = "answers.yaml"


def state_documents(objects: Iterable) -> List[dict]:
    """The manifests of the objects a student owns, oldest first (so a replay creates them in order)."""
    kept = [obj for obj in objects if _owned_by_student(obj)]
    kept.sort(key=lambda o: (type(o).kind != "Namespace", o.metadata.creation_timestamp or EPOCH,
                             STATE_KINDS.index(type(o).kind), o.metadata.namespace or "", o.metadata.name))
    return [manifest_of(obj) for obj in kept]


def _owned_by_student(obj) -> bool:
    meta = obj.metadata
    kind = type(obj).kind
    if kind not in STATE_KINDS or meta.deletion_timestamp is not None:
        return False
    if kind == "Namespace":
        return meta.name not in SYSTEM_NAMESPACES + ("default",)
    if meta.namespace in SYSTEM_NAMESPACES or meta.owner_references:
        return False
    if meta.namespace == "default" and meta.name == "kubernetes":  # the API server's Service and endpoints
        return False
    return not any(label in (meta.labels or {}) for label in MANAGED_LABELS)


def manifest_of(obj) -> dict:
    """An object as a manifest that creates it again (without status and what the server set)."""
    doc = to_dict(obj)
    doc.pop("status", None)
    meta = doc.get("metadata", {})
    for key in DROPPED_METADATA:
        meta.pop(key, None)
    if doc["kind"] == "Namespace":
        doc.pop("spec", None)
    return doc


def dump_state(documents: List[dict]) -> str:
    """The manifests as one multi-document YAML text."""
    return yaml.safe_dump_all(documents, sort_keys=False, default_flow_style=False) if documents else ""


@dataclass
class Submission:
    """What one student handed in (or a folder of hand-written manifests)."""

    folder: str
    student: str
    lab: str = ""
    state: str = ""  # the cluster's state as manifests (complete: replayed on an empty cluster)
    manifests: List[str] = field(default_factory=list)  # hand-written files, applied on the scenario
    answers: Dict[str, str] = field(default_factory=dict)
    hints: Dict[str, int] = field(default_factory=dict)
    started: Optional[float] = None
    ended: Optional[float] = None
    report_path: Optional[str] = None

    @property
    def complete(self) -> bool:
        """Is this k8slab's own submission (the whole state), rather than hand-written manifests?"""
        return bool(self.lab)


def write(folder: str, meta: dict, state: str, history: List[str]) -> None:
    """Write a submission folder (the report is written next to it by the caller)."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, SUBMISSION_FILE), "w", encoding="utf-8") as f:
        yaml.safe_dump(meta, f, sort_keys=False, allow_unicode=True)
    with open(os.path.join(folder, STATE_FILE), "w", encoding="utf-8") as f:
        f.write(state)
    with open(os.path.join(folder, HISTORY_FILE), "w", encoding="utf-8") as f:
        f.write("".join(line.rstrip("\n") + "\n" for line in history))


def read(folder: str) -> Submission:
    """A submission folder (ValueError, naming the file, if it cannot be read)."""
    student = os.path.basename(os.path.normpath(folder))
    meta_path = os.path.join(folder, SUBMISSION_FILE)
    if not os.path.exists(meta_path):
        return _hand_written(folder, student)
    meta = _yaml(meta_path)
    if not isinstance(meta, dict) or not meta.get("lab") or not meta.get("student"):
        raise ValueError(f"{meta_path}: expected lab, student, answers and hints")
    try:
        with open(os.path.join(folder, STATE_FILE), encoding="utf-8") as f:
            state = f.read()
    except OSError as e:
        raise ValueError(f"{os.path.join(folder, STATE_FILE)}: cannot read: {e.strerror}")
    report = os.path.join(folder, "report.json")
    return Submission(folder=folder, student=str(meta["student"]), lab=str(meta["lab"]), state=state,
                      answers=_strings(meta.get("answers")), hints=_counts(meta.get("hints")),
                      started=meta.get("started"), ended=meta.get("ended"),
                      report_path=report if os.path.exists(report) else None)


def _hand_written(folder: str, student: str) -> Submission:
    manifests = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.endswith((".yaml", ".yml")) and name != ANSWERS_FILE and os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                manifests.append(f.read())
    answers_path = os.path.join(folder, ANSWERS_FILE)
    answers = _strings(_yaml(answers_path)) if os.path.exists(answers_path) else {}
    return Submission(folder=folder, student=student, manifests=manifests, answers=answers)


def _yaml(path: str):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except OSError as e:
        raise ValueError(f"{path}: cannot read: {e.strerror}")
    except yaml.YAMLError as e:
        raise ValueError(f"{path}: not valid YAML: {e}")


def _strings(data) -> Dict[str, str]:
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _counts(data) -> Dict[str, int]:
    if not isinstance(data, dict):
        return {}
    return {str(k): int(v) for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}


def folders(root: str) -> List[str]:
    """The submission folders in `root` (each a student), by name."""
    try:
        names = sorted(os.listdir(root))
    except OSError as e:
        raise ValueError(f"{root}: cannot read: {e.strerror}")
    return [os.path.join(root, n) for n in names if os.path.isdir(os.path.join(root, n)) and not n.startswith(".")]
