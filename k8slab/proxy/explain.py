"""One plain-English sentence per trace step, for learners reading `trace` output (pure)."""

from __future__ import annotations

from k8slab.proxy.chains import EXT_PREFIX, FW_PREFIX, SEP_PREFIX, SVC_PREFIX, SVL_PREFIX
from k8slab.proxy.trace import Step


def percent(p: float) -> str:
    """0.3333 -> "33%", 0.05 -> "5%", 0.001 -> "0.1%"."""
    pct = p * 100
    if pct >= 10 or pct == int(pct):
        return f"{round(pct)}%"
    return f"{pct:.1f}".rstrip("0").rstrip(".") + "%"


def _spn(comment: str) -> str:
    for suffix in (" cluster IP", " external IP", " loadbalancer IP", " has no endpoints",
                   " has no local endpoints", " health check node port"):
        if comment.endswith(suffix):
            return comment[: -len(suffix)]
    return comment.split(" -> ")[0]


def explain(step: Step) -> str:
    """Explain what one step did to the packet, in one sentence."""
    r = step.rule
    where = f"{step.chain}"
    if r is None:
        return _chain_end(where, step)
    comment = r.comment or ""
    target = step.verdict[5:] if step.verdict.startswith("jump ") else ""
    if step.verdict == "affinity":
        return (f"{where}: session affinity: a client that opened a connection in the last {r.recent.seconds} s "
                "goes back to the endpoint it had; this client has no entry yet, so it gets a random choice.")
    if step.choice is not None:
        return _choice(where, step, comment)
    if target == "KUBE-MARK-MASQ":
        return _masquerade_reason(where, step)
    if target:
        return _jump(where, step, target, comment)
    return _terminal(where, step, comment)


def _chain_end(where: str, step: Step) -> str:
    if step.verdict == "no match":
        return (f"{where}: no Service rule matches {step.dst}/{_proto(step)}, so the nat table leaves "
                "its destination as it is.")
    if step.chain.startswith(EXT_PREFIX):
        return (f"{where}: externalTrafficPolicy: Local and no endpoint on this node, so nothing here "
                "accepts an external client: the packet is not DNATed.")
    return f"{where}: no rule here applies; back to the chain that jumped here."


def _proto(step: Step) -> str:
    return (step.rule.proto or "tcp").upper() if step.rule else "TCP"


def _choice(where: str, step: Step, comment: str) -> str:
    i, n = step.choice
    ep = comment.split(" -> ")[1] if " -> " in comment else step.verdict[5:]
    if n == 1:
        return f"{where}: the only endpoint, {ep}, is chosen."
    return f"{where}: {ep} chosen at random as 1 of {n} endpoints ({percent(step.probability)})."


def _masquerade_reason(where: str, step: Step) -> str:
    r = step.rule
    comment = r.comment or ""
    if step.chain.startswith(SEP_PREFIX):
        return (f"{where}: the client {step.src} is this endpoint itself (hairpin), so the packet is marked "
                "for masquerade and the reply will come back through the node.")
    if r.src and r.src[0]:
        return (f"{where}: the source {step.src} is outside the cluster CIDR {r.src[1]}, so the packet is "
                "marked for masquerade.")
    if comment.startswith("masquerade LOCAL traffic"):
        return f"{where}: the packet comes from this node itself, so it is marked for masquerade."
    if comment.startswith("masquerade traffic for"):
        return (f"{where}: external traffic with externalTrafficPolicy: Cluster is marked for masquerade, "
                "so the endpoint will see a node address, not the client's.")
    return f"{where}: the packet is marked for masquerade."


def _jump(where: str, step: Step, target: str, comment: str) -> str:
    r = step.rule
    spn = _spn(comment)
    if step.chain in ("PREROUTING", "OUTPUT", "POSTROUTING", "INPUT", "FORWARD"):
        return f"{step.table} {where}: go through kube-proxy's {target} chain ({comment or 'no comment'})."
    if target == "KUBE-NODEPORTS":
        return f"{where}: {step.dst.rsplit(':', 1)[0]} is an address of this node, so NodePorts are checked."
    if step.chain == "KUBE-NODEPORTS":
        return f"{where}: port {r.dport} is the NodePort of {spn}; go to {target}."
    if step.chain in ("KUBE-SERVICES",) and comment.endswith((" cluster IP", " external IP", " loadbalancer IP")):
        kind = comment[len(spn) + 1:]
        return f"{where}: {step.dst}/{_proto(step)} is the {kind} of {spn}; go to {target}."
    if comment.startswith("pod traffic for"):
        return (f"{where}: a pod reaching an external address of the service uses all endpoints "
                f"({target}) and keeps its source IP.")
    if comment.startswith("route LOCAL traffic"):
        return f"{where}: traffic from this node itself uses all endpoints ({target})."
    if step.chain.startswith(FW_PREFIX):
        return f"{where}: the source {step.src} is in loadBalancerSourceRanges ({r.src[1]}); go on to {target}."
    if step.chain.startswith(EXT_PREFIX):
        if target.startswith(SVL_PREFIX):
            return (f"{where}: externalTrafficPolicy: Local: only endpoints on this node ({target}), "
                    "and the client's source IP is kept.")
        return f"{where}: go on to the endpoint choice for all endpoints ({target})."
    if target.startswith(SEP_PREFIX):
        return f"{where}: this client is pinned to {comment.split(' -> ')[-1]} by session affinity."
    if target.startswith((SVC_PREFIX, SVL_PREFIX, EXT_PREFIX, FW_PREFIX)):
        return f"{where}: {comment or 'match'}; go to {target}."
    return f"{where}: go to {target}."


def _terminal(where: str, step: Step, comment: str) -> str:
    v = step.verdict
    r = step.rule
    if v.startswith("DNAT "):
        sticky = (f", and remember client {step.src} for session affinity"
                  if r.recent and r.recent.action == "set" else "")
        return f"{where}: destination rewritten from {step.dst} to {v[5:]} (DNAT){sticky}."
    if v == "REJECT":
        return (f"{where}: {comment or 'rejected'}: REJECT, so the client gets \"connection refused\" "
                "(ICMP port unreachable).")
    if v == "DROP":
        if comment:
            return f"{where}: {comment}: DROP, so the client waits until it times out."
        return f"{where}: DROP."
    if v == "MARK":
        if step.chain == "KUBE-POSTROUTING":
            return f"{where}: clear the masquerade mark so the packet is not masqueraded twice."
        return f"{where}: set the masquerade mark {r.target_args[-1]}: SNAT this packet when it leaves the node."
    if v == "RETURN" and step.chain == "KUBE-POSTROUTING":
        return f"{where}: the packet is not marked for masquerade, so its source {step.src} is kept."
    if v == "MASQUERADE":
        return (f"{where}: source rewritten to this node's address on the outgoing interface (MASQUERADE), "
                "so replies come back through this node.")
    if v == "ACCEPT":
        return f"{where}: {comment or 'accepted'}: ACCEPT."
    if v == "count":
        return f"{where}: {comment}."
    return f"{where}: {comment + ': ' if comment else ''}{v}."
