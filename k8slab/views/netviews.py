"""Rules and connection traces for the terminal: kube-proxy's iptables rules, highlighted, and `trace`."""

from __future__ import annotations

import re
from typing import Optional

from k8slab.proxy.explain import explain, percent

_STYLE = {  # ANSI colours, used only when the terminal takes colour
    "chain_svc": "\033[36m", "chain_sep": "\033[32m", "chain_ext": "\033[35m", "target_dnat": "\033[33m",
    "target_bad": "\033[31m", "masq": "\033[34m", "dim": "\033[2m", "bold": "\033[1m", "reset": "\033[0m",
}


def _paint(line: str) -> str:
    s = _STYLE
    line = re.sub(r"(KUBE-(?:SVC|SVL)-[A-Z0-9]{16})", rf"{s['chain_svc']}\1{s['reset']}", line)
    line = re.sub(r"(KUBE-SEP-[A-Z0-9]{16})", rf"{s['chain_sep']}\1{s['reset']}", line)
    line = re.sub(r"(KUBE-(?:EXT|FW)-[A-Z0-9]{16})", rf"{s['chain_ext']}\1{s['reset']}", line)
    line = re.sub(r"(-j DNAT --to-destination \S+)", rf"{s['target_dnat']}\1{s['reset']}", line)
    line = re.sub(r"(-j (?:REJECT|DROP)\b)", rf"{s['target_bad']}\1{s['reset']}", line)
    line = re.sub(r"(-j (?:KUBE-MARK-MASQ|MASQUERADE)\b)", rf"{s['masq']}\1{s['reset']}", line)
    return line


def service_lines(text: str, spn: str) -> str:
    """Only the rules that belong to one Service (`namespace/name`): its own chains, and the rules in
    shared chains (KUBE-SERVICES, KUBE-NODEPORTS...) that name it."""
    mine = re.compile(rf'"?{re.escape(spn)}(?::[^ "]*)?(?: |"|$)')
    own = set()
    for line in text.splitlines():
        if line.startswith(("-A ", "[")) and mine.search(line):
            own.update(re.findall(r"(KUBE-(?:SVC|SVL|EXT|FW|SEP)-[A-Z0-9]{16})", line))
    out, block = [], []
    for line in text.splitlines():
        body = line.split("] ", 1)[-1] if line.startswith("[") else line
        parts = body.split()
        if line.startswith("*"):
            block = [line]
        elif line.startswith("COMMIT"):
            if len(block) > 1:
                out += block + [line]
            block = []
        elif line.startswith(":") and line[1:].split()[0] in own:
            block.append(line)
        elif body.startswith("-A ") and len(parts) > 1 and (parts[1] in own or mine.search(body)):
            block.append(line)
    return "\n".join(out)


def render_rules(text: str, *, node: str, service: Optional[str] = None, color: bool = False) -> str:
    """`proxy rules`: what the node's kernel holds (iptables-save), optionally one Service's part."""
    body = service_lines(text, service) if service else text.rstrip("\n")
    if service and not body.strip():
        body = f"(no rules for {service}: a headless or ExternalName Service, or no ports, gets none)"
    head = f"# {node}: kube-proxy's rules as the kernel holds them (iptables-save)" + (f", service {service}" if service else "")
    lines = [head] + body.splitlines()
    if color:
        lines = [f"{_STYLE['dim']}{lines[0]}{_STYLE['reset']}"] + [_paint(x) for x in lines[1:]]
    return "\n".join(lines)


def render_trace(ct, *, what: str = "", color: bool = False) -> str:
    """`trace`: where the first packet enters, each rule it meets, and every place it can end up."""
    b = (lambda t: f"{_STYLE['bold']}{t}{_STYLE['reset']}") if color else (lambda t: t)
    src = ct.source
    dst = f"{ct.dst_ip}:{ct.dst_port}/{ct.protocol}" + (f" ({what})" if what else "")
    who = src.name if src.kind == src.name else f"{src.kind} {src.name}"
    lines = [b(f"{who} ({src.ip}) -> {dst}"), f"  1. {ct.entry_note}"]
    n = 2
    if ct.node_trace is not None:
        lines.append(f"  {n}. On {ct.entry_node}, kube-proxy's rules (the ones applied to its kernel):")
        n += 1
        for step in ct.node_trace.steps:
            lines.append(f"       - {explain(step)}")
            if step.rule is not None:
                lines.append(f"         {_STYLE['dim'] if color else ''}{step.rule_text}{_STYLE['reset'] if color else ''}")
    lines.append(b("  Where the connection ends up:"))
    for d in ct.deliveries:
        share = percent(d.probability)
        if d.verdict == "UNREACHABLE":
            lines.append("    nowhere: the packet never meets the cluster's rules.")
            continue
        head = {"DNAT": f"{share}  {d.destination}", "ACCEPT": f"{share}  {d.destination} (not rewritten)",
                "REJECT": f"{share}  refused", "DROP": f"{share}  dropped"}.get(d.verdict, f"{share}  {d.verdict}")
        lines.append(f"    {head}")
        for hop in d.hops:
            lines.append(f"        {hop}")
        if d.affinity_seconds:
            lines.append(f"        session affinity: this client keeps this endpoint for {d.affinity_seconds} s "
                         "after its last new connection.")
    return "\n".join(lines)
