"""`kubectl describe pod` and `kubectl describe node`, field for field.

Each function writes the lines kubectl's describer writes (same order, same tabs, same flushes)
through a PrefixWriter, so the alignment quirks of real output come out identical. Both return
the whole text with its trailing newline. `events` are core/v1 Event dicts; pass `None` to leave
the Events section out (`--show-events=false`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Dict, Iterable, List, Optional

from k8slab.views.age import age, rfc1123z
from k8slab.views.describe_common import (PrefixWriter, annotations_multiline, controlled_by,
                                          describe_events, go_bool, labels_multiline,
                                          taints_multiline, tolerations_multiline)
from k8slab.views.describe_containers import describe_containers, describe_resources, describe_volumes
from k8slab.views.quantity import ZERO, Quantity, parse_quantity
from k8slab.views.tables import node_roles


def describe_pod(pod: dict, *, now: datetime, events: Optional[Iterable[dict]] = ()) -> str:
    """The text of `kubectl describe pod`."""
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("nodeName"):
        w.write(0, f"Node:\t{spec['nodeName']}/{status.get('hostIP', '')}\n")
    else:
        w.write(0, "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    phase = status.get("phase", "")
    if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        # kubectl measures "lasts" from the deletion timestamp (translateTimestampSince).
        w.write(0, f"Status:\tTerminating (lasts {age(meta['deletionTimestamp'], now)})\n")
        grace = meta.get("deletionGracePeriodSeconds", spec.get("terminationGracePeriodSeconds", 30))
        w.write(0, f"Termination Grace Period:\t{grace}s\n")
    else:
        w.write(0, f"Status:\t{phase}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    seccomp = (spec.get("securityContext") or {}).get("seccompProfile")
    if seccomp:
        w.write(0, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(0, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    if ips:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    else:
        w.write(0, "IPs:\t<none>\n")
    owner = controlled_by(pod)
    if owner:
        w.write(0, f"Controlled By:\t{owner}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources") is not None:
        w.write(0, "Resources:\n")
        describe_resources(w, spec["resources"], 1)
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"],
                            status.get("initContainerStatuses") or [], pod)
    describe_containers(w, "Containers", spec.get("containers") or [], status.get("containerStatuses") or [], pod)
    if spec.get("ephemeralContainers"):
        describe_containers(w, "Ephemeral Containers", spec["ephemeralContainers"],
                            status.get("ephemeralContainerStatuses") or [], pod)
    conditions = status.get("conditions") or []
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        by_type = {c.get("type"): c.get("status") for c in conditions}
        for gate in spec["readinessGates"]:
            w.write(1, f"{gate.get('conditionType', '')} \t{by_type.get(gate.get('conditionType'), '<none>')} \n")
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \n")
    describe_volumes(w, spec.get("volumes") or [])
    w.write(0, f"QoS Class:\t{status.get('qosClass') or pod_qos_class(pod)}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations") or [])
    _topology_spread(w, spec.get("topologySpreadConstraints") or [])
    describe_events(w, events, now)
    return w.getvalue()


def _topology_spread(w: PrefixWriter, constraints: List[dict]) -> None:
    if not constraints:
        return
    w.write(0, "Topology Spread Constraints:\t")
    for i, tsc in enumerate(sorted(constraints, key=lambda c: c.get("topologyKey", ""))):
        if i:
            w.write(0, "\t")
        text = f"{tsc.get('topologyKey', '')}:{tsc.get('whenUnsatisfiable', '')} when max skew {tsc.get('maxSkew', 0)} is exceeded"
        selector = (tsc.get("labelSelector") or {}).get("matchLabels")
        if tsc.get("labelSelector") is not None:
            text += " for selector " + (",".join(f"{k}={v}" for k, v in sorted((selector or {}).items())) or "<none>")
        w.write(0, text + "\n")


def pod_qos_class(pod: dict) -> str:
    """`ComputePodQOS`: Guaranteed, Burstable or BestEffort from cpu/memory requests and limits."""
    spec = pod.get("spec") or {}
    requests: Dict[str, Quantity] = {}
    limits: Dict[str, Quantity] = {}
    guaranteed = True
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        res = c.get("resources") or {}
        for name, raw in (res.get("requests") or {}).items():
            if name in ("cpu", "memory") and parse_quantity(raw).value > 0:
                requests[name] = requests.get(name, ZERO) + parse_quantity(raw)
        found = set()
        for name, raw in (res.get("limits") or {}).items():
            if name in ("cpu", "memory") and parse_quantity(raw).value > 0:
                found.add(name)
                limits[name] = limits.get(name, ZERO) + parse_quantity(raw)
        if found != {"cpu", "memory"}:
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and all(requests.get(n, ZERO).value == limits[n].value for n in limits) \
            and set(requests) <= set(limits):
        return "Guaranteed"
    return "Burstable"


# --- Node -------------------------------------------------------------------------------------

def describe_node(node: dict, *, pods: Iterable[dict] = (), events: Optional[Iterable[dict]] = (),
                  now: datetime, lease: Optional[dict] = None) -> str:
    """The text of `kubectl describe node`; `pods` may be all pods, only this node's are counted."""
    meta, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    name = meta.get("name", "")
    w = PrefixWriter()
    w.write(0, f"Name:\t{name}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    taints_multiline(w, "Taints", spec.get("taints") or [])
    w.write(0, f"Unschedulable:\t{go_bool(spec.get('unschedulable'))}\n")
    _lease(w, name, lease, now)
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{rfc1123z(c.get('lastHeartbeatTime'))} \t"
                       f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for addr in status.get("addresses") or []:
        w.write(1, f"{addr.get('type', '')}:\t{addr.get('address', '')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        if status.get(key):
            w.write(0, f"{title}:\n")
            for res in sorted(status[key]):
                w.write(0, f"  {res}:\t{_quantity_text(status[key][res])}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for label, key in (("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
                       ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
                       ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
                       ("Container Runtime Version", "containerRuntimeVersion"),
                       ("Kubelet Version", "kubeletVersion"), ("Kube-Proxy Version", "kubeProxyVersion")):
        w.write(0, f"  {label}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    node_pods = [p for p in pods if (p.get("spec") or {}).get("nodeName") == name
                 and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    _node_resources(w, node, node_pods, now)
    describe_events(w, events, now)
    return w.getvalue()


def _quantity_text(value: object) -> str:
    try:
        return str(parse_quantity(value))  # type: ignore[arg-type]
    except ValueError:
        return str(value)


def _lease(w: PrefixWriter, name: str, lease: Optional[dict], now: datetime) -> None:
    # The kubelet's lease in kube-node-lease: held by the node, renewed every few seconds and
    # never "acquired". Without one, show what a healthy kubelet's lease looks like right now.
    spec = (lease or {}).get("spec") if lease is not None else {"holderIdentity": name, "renewTime": now}
    spec = spec or {}
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{spec.get('holderIdentity') or '<unset>'}\n")
    acquire, renew = spec.get("acquireTime"), spec.get("renewTime")
    w.write(1, f"AcquireTime:\t{rfc1123z(acquire) if acquire else '<unset>'}\n")
    w.write(1, f"RenewTime:\t{rfc1123z(renew) if renew else '<unset>'}\n")


def pod_requests_and_limits(pod: dict) -> "tuple[Dict[str, Quantity], Dict[str, Quantity]]":
    """resourcehelper `PodRequestsAndLimits`: container sums, raised to any larger init container."""
    spec = pod.get("spec") or {}
    totals: List[Dict[str, Quantity]] = [{}, {}]
    for c in spec.get("containers") or []:
        res = c.get("resources") or {}
        for total, key in zip(totals, ("requests", "limits")):
            for name, raw in (res.get(key) or {}).items():
                total[name] = total.get(name, ZERO) + parse_quantity(raw)
    for c in spec.get("initContainers") or []:
        res = c.get("resources") or {}
        for total, key in zip(totals, ("requests", "limits")):
            for name, raw in (res.get(key) or {}).items():
                q = parse_quantity(raw)
                if name not in total or q.value > total[name].value:
                    total[name] = q
    return totals[0], totals[1]


def _percent(part: int, whole: int) -> int:
    # Go: int64(float64(part) / float64(whole) * 100), truncated; a zero total shows 0%.
    return int(part / whole * 100) if whole else 0


def _node_resources(w: PrefixWriter, node: dict, pods: List[dict], now: datetime) -> None:
    status = node.get("status") or {}
    alloc_raw = status.get("allocatable") or status.get("capacity") or {}
    alloc = {k: parse_quantity(v) for k, v in alloc_raw.items()}
    cpu_total = alloc.get("cpu", ZERO).milli_value()
    mem_total = alloc.get("memory", ZERO).int_value()
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    reqs: Dict[str, Quantity] = {}
    lims: Dict[str, Quantity] = {}
    for pod in pods:
        req, lim = pod_requests_and_limits(pod)
        for total, part in ((reqs, req), (lims, lim)):
            for name, q in part.items():
                total[name] = total.get(name, ZERO) + q
        cr, cl = req.get("cpu", ZERO), lim.get("cpu", ZERO)
        mr, ml = req.get("memory", ZERO), lim.get("memory", ZERO)
        meta = pod.get("metadata") or {}
        w.write(1, f"{meta.get('namespace', '')}\t{meta.get('name', '')}\t\t"
                   f"{cr} ({_percent(cr.milli_value(), cpu_total)}%)\t{cl} ({_percent(cl.milli_value(), cpu_total)}%)\t"
                   f"{mr} ({_percent(mr.int_value(), mem_total)}%)\t{ml} ({_percent(ml.int_value(), mem_total)}%)\t"
                   f"{age(meta.get('creationTimestamp'), now)}\n")
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    for name, milli in (("cpu", True), ("memory", False), ("ephemeral-storage", False)):
        r, l = reqs.get(name, ZERO), lims.get(name, ZERO)
        whole = alloc.get(name, ZERO)
        if milli:
            rp, lp = _percent(r.milli_value(), whole.milli_value()), _percent(l.milli_value(), whole.milli_value())
        else:
            rp, lp = _percent(r.int_value(), whole.int_value()), _percent(l.int_value(), whole.int_value())
        w.write(1, f"{name}\t{r} ({rp}%)\t{l} ({lp}%)\n")
    for name in sorted(k for k in alloc if k.startswith("hugepages-")):
        r, l, whole = reqs.get(name, ZERO), lims.get(name, ZERO), alloc[name].int_value()
        w.write(1, f"{name}\t{r} ({_percent(r.int_value(), whole)}%)\t{l} ({_percent(l.int_value(), whole)}%)\n")
    standard = {"cpu", "memory", "ephemeral-storage", "pods"}
    for name in sorted(k for k in alloc if k not in standard and not k.startswith("hugepages-")):
        w.write(1, f"{name}\t{reqs.get(name, ZERO)}\t{lims.get(name, ZERO)}\n")
