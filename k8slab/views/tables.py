"""`kubectl get` tables: a registry of column sets per kind and the one renderer for all of them.

A kind is added by declaring its columns (name + whether `-o wide` only) and a row function that
returns every cell, wide ones included, as kubectl's server-side printers do
(`pkg/printers/internalversion/printers.go`). Decoration (`-A`, `-L`, `--show-labels`,
`--no-headers`) and layout (tabwriter, minwidth 6, padding 3) follow cli-runtime's table printer.
Each function returns exactly what kubectl writes, trailing newline included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from k8slab.views.age import age
from k8slab.views.podstatus import pod_ready, pod_restarts, pod_status
from k8slab.views.tabwriter import tabify

RowFunc = Callable[[dict, datetime], List[str]]


@dataclass(frozen=True)
class Column:
    """One table column: its definition name (headers are upper-cased) and its priority."""

    name: str
    wide: bool = False  # priority 1: shown only with -o wide


@dataclass(frozen=True)
class KindTable:
    """How `kubectl get <kind>` prints: columns, a row function, and whether the kind is namespaced."""

    kind: str
    columns: Tuple[Column, ...]
    row: RowFunc
    namespaced: bool = True
    wide_row: Optional[RowFunc] = None  # when -o wide changes cells too (Service EXTERNAL-IP)

    def cells(self, item: dict, now: datetime, wide: bool) -> List[str]:
        """Every cell of `item`'s row, wide ones included."""
        return (self.wide_row if wide and self.wide_row else self.row)(item, now)


_TABLES: Dict[str, KindTable] = {}


def register_table(kind: str, columns: Sequence[Column], row: RowFunc, *, namespaced: bool = True,
                   wide_row: Optional[RowFunc] = None) -> None:
    """Declare the columns and row function for `kind` (later registrations replace earlier ones)."""
    _TABLES[kind.lower()] = KindTable(kind, tuple(columns), row, namespaced, wide_row)


def table_for(kind: str) -> KindTable:
    """The registered table for `kind` (case-insensitive), or the generic `NAME AGE` table."""
    found = _TABLES.get(kind.lower())
    if found is not None:
        return found
    return KindTable(kind, (Column("Name"), Column("Age")), _generic_row)


def format_labels(labels: Optional[Mapping[str, str]]) -> str:
    """apimachinery `labels.FormatLabels`: `k1=v1,k2=v2` sorted by key, `<none>` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def no_resources_message(namespace: Optional[str]) -> str:
    """What kubectl writes to stderr for an empty `get` (None for -A or cluster-scoped kinds)."""
    if namespace:
        return f"No resources found in {namespace} namespace.\n"
    return "No resources found\n"


def render_table(
    kind: str,
    items: Iterable[dict],
    *,
    now: datetime,
    wide: bool = False,
    all_namespaces: bool = False,
    show_labels: bool = False,
    no_headers: bool = False,
    label_columns: Sequence[str] = (),
    with_kind: bool = False,
) -> str:
    """Render `kubectl get` output for `items` of one kind ("" when there are no items)."""
    items = list(items)
    if not items:
        return ""  # kubectl prints no header for an empty list; see no_resources_message
    table = table_for(kind)
    # kubectl ignores --all-namespaces for cluster-scoped resources.
    with_namespace = all_namespaces and table.namespaced
    shown = [i for i, c in enumerate(table.columns) if wide or not c.wide]

    lines: List[List[str]] = []
    if not no_headers:
        header = [table.columns[i].name.upper() for i in shown]
        header += [key.split("/")[-1].upper() for key in label_columns]
        if show_labels:
            header.append("LABELS")
        if with_namespace:
            header.insert(0, "NAMESPACE")
        lines.append(header)
    for item in items:
        cells = table.cells(item, now, wide)
        row = [_cell(cells[i]) for i in shown]
        if with_kind:
            row[0] = f"{_kind_prefix(item, table.kind)}/{row[0]}"
        labels = _meta(item).get("labels") or {}
        row += [labels.get(key, "") for key in label_columns]
        if show_labels:
            row.append(format_labels(labels))
        if with_namespace:
            row.insert(0, _meta(item).get("namespace", ""))
        lines.append(row)
    return tabify("".join("\t".join(line) + "\n" for line in lines))


# The "all" category in discovery order: core, apps, autoscaling, batch, and within a group the
# resources alphabetically (the apiserver installs them sorted), hence cronjobs before jobs.
ALL_KINDS = ("Pod", "ReplicationController", "Service", "DaemonSet", "Deployment", "ReplicaSet",
             "StatefulSet", "HorizontalPodAutoscaler", "CronJob", "Job")


def render_all_tables(sections: Sequence[Tuple[str, Iterable[dict]]], *, now: datetime, wide: bool = False,
                      all_namespaces: bool = False, show_labels: bool = False,
                      no_headers: bool = False) -> List[str]:
    """`kubectl get all`: each non-empty kind's table, names as `kind/name`, in kubectl's order."""
    rank = {kind.lower(): i for i, kind in enumerate(ALL_KINDS)}
    ordered = sorted(enumerate(sections), key=lambda p: (rank.get(p[1][0].lower(), len(rank)), p[0]))
    texts = [render_table(kind, items, now=now, wide=wide, all_namespaces=all_namespaces,
                          show_labels=show_labels, no_headers=no_headers, with_kind=True)
             for _, (kind, items) in ordered]
    return [t for t in texts if t]


def render_all(sections: Sequence[Tuple[str, Iterable[dict]]], *, now: datetime, wide: bool = False,
               all_namespaces: bool = False, show_labels: bool = False, no_headers: bool = False) -> str:
    """`kubectl get all` as the terminal shows it: tables separated by a blank line."""
    # kubectl writes that blank line to stderr (and none with --no-headers): a shell that keeps
    # streams apart should use render_all_tables and print the separators itself.
    tables = render_all_tables(sections, now=now, wide=wide, all_namespaces=all_namespaces,
                               show_labels=show_labels, no_headers=no_headers)
    return ("" if no_headers else "\n").join(tables)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # cli-runtime cuts a cell at its first line break and marks the cut with "...".
    for i, ch in enumerate(text):
        if ch in "\f\n\r":
            text = text[:i] + "..."
            break
    return text.replace("\x1b", "^[")


def _kind_prefix(item: dict, kind: str) -> str:
    group = (item.get("apiVersion") or "").rpartition("/")[0]
    name = (item.get("kind") or kind).lower()
    return f"{name}.{group}" if group else name


def _meta(item: dict) -> dict:
    return item.get("metadata") or {}


def _generic_row(item: dict, now: datetime) -> List[str]:
    meta = _meta(item)
    return [meta.get("name", ""), age(meta.get("creationTimestamp"), now)]


# --- Pod --------------------------------------------------------------------------------------

def _pod_row(pod: dict, now: datetime) -> List[str]:
    meta, spec, status = _meta(pod), pod.get("spec") or {}, pod.get("status") or {}
    ips = status.get("podIPs") or []
    gates = spec.get("readinessGates") or []
    if gates:
        conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        true = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
        readiness = f"{true}/{len(gates)}"
    else:
        readiness = "<none>"
    return [
        meta.get("name", ""),
        pod_ready(pod),
        pod_status(pod),
        pod_restarts(pod, now),
        age(meta.get("creationTimestamp"), now),
        (ips[0].get("ip") if ips else "") or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        readiness,
    ]


register_table(
    "Pod",
    [Column("Name"), Column("Ready"), Column("Status"), Column("Restarts"), Column("Age"),
     Column("IP", wide=True), Column("Node", wide=True), Column("Nominated Node", wide=True),
     Column("Readiness Gates", wide=True)],
    _pod_row,
)


# --- Node -------------------------------------------------------------------------------------

def node_roles(node: dict) -> List[str]:
    """kubectl's `findNodeRoles`: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role`."""
    roles = set()
    for key, value in (_meta(node).get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key[len("node-role.kubernetes.io/"):]
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return sorted(roles)


def node_status(node: dict) -> str:
    """`Ready`, `NotReady` (Ready condition not True) or `Unknown`, plus `,SchedulingDisabled`."""
    status = []
    for cond in (node.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            status = ["Ready" if cond.get("status") == "True" else "NotReady"]
    if not status:
        status = ["Unknown"]
    if (node.get("spec") or {}).get("unschedulable"):
        status.append("SchedulingDisabled")
    return ",".join(status)


def _node_address(node: dict, kind: str) -> str:
    for addr in (node.get("status") or {}).get("addresses") or []:
        if addr.get("type") == kind:
            return addr.get("address", "")
    return "<none>"


def _node_row(node: dict, now: datetime) -> List[str]:
    meta, info = _meta(node), (node.get("status") or {}).get("nodeInfo") or {}
    return [
        meta.get("name", ""),
        node_status(node),
        ",".join(node_roles(node)) or "<none>",
        age(meta.get("creationTimestamp"), now),
        info.get("kubeletVersion", ""),
        _node_address(node, "InternalIP"),
        _node_address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


register_table(
    "Node",
    [Column("Name"), Column("Status"), Column("Roles"), Column("Age"), Column("Version"),
     Column("Internal-IP", wide=True), Column("External-IP", wide=True), Column("OS-Image", wide=True),
     Column("Kernel-Version", wide=True), Column("Container-Runtime", wide=True)],
    _node_row,
    namespaced=False,
)


# --- Namespace --------------------------------------------------------------------------------

def _namespace_row(ns: dict, now: datetime) -> List[str]:
    meta = _meta(ns)
    phase = (ns.get("status") or {}).get("phase", "")
    return [meta.get("name", ""), phase, age(meta.get("creationTimestamp"), now)]


register_table("Namespace", [Column("Name"), Column("Status"), Column("Age")], _namespace_row,
               namespaced=False)


# Service, Endpoints and EndpointSlice register their tables when their module is imported; it
# builds on this one, hence the import at the very end.
import_module("k8slab.views.tables_service")
import_module("k8slab.views.tables_events")

# The apps workloads register their tables the same way.
import_module("k8slab.views.tables_apps")
