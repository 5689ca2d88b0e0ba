"""Walk one packet through rendered rules, like kube-proxy's tracePacket test helper (pure).

The interpreter reads the restore text itself (or iptables-save output), not a model of Services:
what it reports is what those rules do. It covers the first packet of a connection (conntrack state
NEW), which is the only packet the nat table sees; later packets follow the conntrack entry.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import Iterable, Optional, Tuple, Union

from k8slab.proxy.chains import EXT_PREFIX, SEP_PREFIX, is_service_chain, jump_rules
from k8slab.proxy.rules import Rule, Ruleset, parse, parse_rule

_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
_TERMINAL = ("ACCEPT", "DROP", "REJECT", "DNAT", "MASQUERADE", "RETURN")


@dataclass(frozen=True)
class Packet:
    """The first packet of a new connection."""

    src_ip: str
    dst_ip: str
    dst_port: int
    protocol: str = "TCP"
    src_local: bool = False  # originates on this node (host network): nat OUTPUT, not PREROUTING
    dst_local: Optional[bool] = None  # None: computed from the node's addresses


@dataclass(frozen=True)
class Step:
    """One rule that matched (or a chain that ended) on the packet's way."""

    table: str
    chain: str
    rule: Optional[Rule]
    verdict: str  # "jump X", "DNAT ip:port", "MARK", "MASQUERADE", "REJECT", "DROP", "ACCEPT", ...
    probability: float = 1.0  # chance that a new connection takes this step
    choice: Optional[Tuple[int, int]] = None  # (i, n): the i-th of n endpoints of a random choice
    src: str = ""
    dst: str = ""  # "ip:port" when the step happened

    @property
    def rule_text(self) -> str:
        """The rule as written, or "" for chain-end steps."""
        return self.rule.text if self.rule else ""


@dataclass(frozen=True)
class Outcome:
    """Where one branch of the walk ends."""

    probability: float
    verdict: str  # "DNAT" | "ACCEPT" (untouched) | "REJECT" | "DROP"
    destination: str  # "ip:port" the packet is delivered to
    masquerade: bool
    endpoint_chain: Optional[str]
    affinity_seconds: Optional[int]  # ClientIP affinity: the choice sticks per client for N s
    steps: Tuple[Step, ...]


@dataclass(frozen=True)
class Trace:
    """Every step and every possible outcome of one packet."""

    packet: Packet
    steps: Tuple[Step, ...]
    outcomes: Tuple[Outcome, ...]

    def dnat_targets(self) -> dict:
        """{"ip:port": probability} over the outcomes that were DNATed."""
        out: dict = {}
        for o in self.outcomes:
            if o.verdict == "DNAT":
                out[o.destination] = out.get(o.destination, 0.0) + o.probability
        return out

    @property
    def masquerade_probability(self) -> float:
        """Chance that the packet leaves with the node's address as source."""
        return sum(o.probability for o in self.outcomes if o.masquerade)

    @property
    def verdict(self) -> str:
        """"DNAT", "REJECT", "DROP", "ACCEPT" (untouched) or "mixed"."""
        verdicts = {o.verdict for o in self.outcomes}
        return verdicts.pop() if len(verdicts) == 1 else "mixed"

    @property
    def untouched(self) -> bool:
        """True when no kube-proxy rule changed or stopped the packet: normal routing."""
        return all(o.verdict == "ACCEPT" and not o.masquerade for o in self.outcomes)


@dataclass(frozen=True)
class _State:
    dst_ip: str
    dst_port: int
    mark: int = 0
    dnat: Optional[str] = None
    sep: Optional[str] = None
    affinity: Optional[int] = None
    masquerade: bool = False
    verdict: Optional[str] = None  # set once the packet is dropped or rejected


_Branch = Tuple[float, _State, Tuple[Step, ...], str]


class _Walker:
    def __init__(self, rs: Ruleset, packet: Packet, local_ips: Iterable[str]):
        self.rs = rs
        self.packet = packet
        self.proto = packet.protocol.lower()
        self.local = {ipaddress.ip_address(ip) for ip in local_ips}

    def is_local(self, ip: str, original: bool = False) -> bool:
        if original and self.packet.dst_local is not None:
            return self.packet.dst_local
        addr = ipaddress.ip_address(ip)
        return addr in self.local or addr in _LOOPBACK

    def src_is_local(self) -> bool:
        return self.packet.src_local or self.is_local(self.packet.src_ip)

    # -- matching -------------------------------------------------------------------------------

    def matches(self, r: Rule, st: _State) -> bool:
        if r.src and _in(self.packet.src_ip, r.src[1]) == r.src[0]:
            return False
        if r.dst and _in(st.dst_ip, r.dst[1]) == r.dst[0]:
            return False
        if r.proto and r.proto not in ("all", self.proto):
            return False
        if r.dport is not None and (r.proto or self.proto) in ("tcp", "udp", "sctp") and r.dport != st.dst_port:
            return False
        if r.dst_type and self._addr_type(st.dst_ip, r.dst_type[1], st) == r.dst_type[0]:
            return False
        if r.src_type and self._src_type(r.src_type[1]) == r.src_type[0]:
            return False
        if r.mark and ((st.mark & r.mark[2]) == r.mark[1]) == r.mark[0]:
            return False
        if r.ctstate:
            # The first packet is NEW; after a DNAT the connection also has the virtual DNAT state.
            states = {"NEW"} | ({"DNAT"} if st.dnat else set())
            if bool(states & r.ctstate[1]) == r.ctstate[0]:
                return False
        if r.recent and r.recent.action in ("rcheck", "update"):
            return False  # a new client has no entry in the recent list yet
        return True

    def _addr_type(self, ip: str, kind: str, st: _State) -> bool:
        original = st.dnat is None and ip == self.packet.dst_ip
        return kind == "LOCAL" and self.is_local(ip, original)

    def _src_type(self, kind: str) -> bool:
        return kind == "LOCAL" and self.src_is_local()

    # -- walking --------------------------------------------------------------------------------

    def step(self, r: Optional[Rule], table: str, chain: str, verdict: str, prob: float, st: _State,
             choice=None) -> Step:
        return Step(table, chain, r, verdict, prob, choice, self.packet.src_ip, f"{st.dst_ip}:{st.dst_port}")

    def run(self, table: str, chain: str, st: _State, prob: float, path: tuple, depth: int = 0) -> list:
        """All branches through `chain`: (probability, state, path, how the chain was left)."""
        if depth > 32:
            raise ValueError(f"chain loop through {chain}")
        return self._from(table, chain, self.rs.rules(table, chain), 0, st, prob, path, depth)

    def _from(self, table, chain, rules, start, st, prob, path, depth) -> list:
        for j in range(start, len(rules)):
            r = rules[j]
            if not self.matches(r, st):
                if r.recent and r.recent.action == "rcheck" and (j == 0 or not rules[j - 1].recent):
                    path = path + (self.step(r, table, chain, "affinity", prob, st),)
                    st = replace(st, affinity=r.recent.seconds)
                continue
            p = r.probability if r.probability is not None else 1.0
            choice = _choice(rules, r)
            if p < 1.0:
                taken = self._take(table, chain, rules, j, st, prob * p, path, depth, choice)
                return taken + self._from(table, chain, rules, j + 1, st, prob * (1 - p), path, depth)
            return self._take(table, chain, rules, j, st, prob, path, depth, choice)
        if table == "nat" and chain == "KUBE-SERVICES" and depth <= 1 and not _reached_service(path):
            path = path + (self.step(None, table, chain, "no match", prob, st),)
        elif chain.startswith(EXT_PREFIX):
            # Only an eTP Local EXT chain without local endpoints lets external clients fall through.
            path = path + (self.step(None, table, chain, "return", prob, st),)
        return [(prob, st, path, "RETURN")]

    def _take(self, table, chain, rules, j, st, prob, path, depth, choice) -> list:
        r = rules[j]
        target = r.target
        if target is None:
            return self._from(table, chain, rules, j + 1, st, prob, path + (self.step(r, table, chain, "count",
                                                                                       prob, st),), depth)
        if target == "MARK":
            st = replace(st, mark=_apply_mark(st.mark, r))
            path = path + (self.step(r, table, chain, "MARK", prob, st),)
            return self._from(table, chain, rules, j + 1, st, prob, path, depth)
        if target == "DNAT":
            to = r.target_arg("--to-destination") or st.dst_ip
            ip, _, port = to.partition(":")
            path = path + (self.step(r, table, chain, f"DNAT {to}", prob, st),)
            new = replace(st, dst_ip=ip, dst_port=int(port or st.dst_port), dnat=to,
                          sep=chain if chain.startswith(SEP_PREFIX) else st.sep)
            return [(prob, new, path, "DNAT")]
        if target in _TERMINAL:
            path = path + (self.step(r, table, chain, target, prob, st),)
            if target == "MASQUERADE":
                st = replace(st, masquerade=True)
            return [(prob, st, path, target)]
        if not self.rs.has_chain(table, target):
            path = path + (self.step(r, table, chain, target, prob, st),)  # e.g. LOG: non-terminating
            return self._from(table, chain, rules, j + 1, st, prob, path, depth)
        jumped = path + (self.step(r, table, chain, f"jump {target}", prob, st, choice),)
        out = []
        for b_prob, b_st, b_path, how in self.run(table, target, st, prob, jumped, depth + 1):
            if how == "RETURN":
                if b_path == jumped:
                    b_path = path  # nothing in that chain applied: leave the jump out of the story
                out += self._from(table, chain, rules, j + 1, b_st, b_prob, b_path, depth)
            else:
                out.append((b_prob, b_st, b_path, how))
        return out

    def hook(self, table: str, chain: str, branches: list) -> list:
        """Run a built-in chain on every live branch; policy ACCEPT when nothing decides."""
        out = []
        for prob, st, path, _ in branches:
            if st.verdict:
                out.append((prob, st, path, st.verdict))
                continue
            for b_prob, b_st, b_path, how in self.run(table, chain, st, prob, path):
                if how in ("DROP", "REJECT"):
                    b_st = replace(b_st, verdict=how)
                out.append((b_prob, b_st, b_path, how))
        return out


def _reached_service(path: tuple) -> bool:
    return any(s.table == "nat" and s.verdict.startswith("jump ") and is_service_chain(s.verdict[5:])
               for s in path)


def _in(ip: str, cidr: str) -> bool:
    return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)


def _choice(rules: list, r: Rule) -> Optional[Tuple[int, int]]:
    """(i, n) when `r` is one of the per-endpoint random-choice rules of a SVC/SVL chain."""
    if not (r.target or "").startswith(SEP_PREFIX) or r.recent:
        return None
    balancer = [x for x in rules if (x.target or "").startswith(SEP_PREFIX) and not x.recent]
    return balancer.index(r) + 1, len(balancer)


def _apply_mark(mark: int, r: Rule) -> int:
    op, arg = (r.target_args + ("", ""))[:2]
    value, _, mask_text = arg.partition("/")
    v = int(value, 0)
    if op == "--or-mark":
        return mark | v
    if op == "--xor-mark":
        return mark ^ v
    if op == "--and-mark":
        return mark & v
    mask = int(mask_text, 0) if mask_text else 0xFFFFFFFF
    if op == "--set-mark":
        return (mark & ~mask) | v
    return (mark & ~mask) ^ v  # --set-xmark value/mask


def _with_builtin_jumps(rs: Ruleset) -> Ruleset:
    """Add kube-proxy's jumps from built-in chains when the text has none (restore input)."""
    added: dict = {}
    for table, chain, args in jump_rules():
        if rs.rules(table, chain):
            continue  # iptables-save output: use what the kernel really has
        target = args[-1]
        if not rs.has_chain(table, target):
            continue
        # Each jump is inserted at the top (-I), so the last one ensured ends up first.
        rule = parse_rule(table, " ".join(["-A", chain] + [_quote(a) for a in args]))
        added.setdefault((table, chain), []).insert(0, rule)
    for key, rules in added.items():
        rs.chains[key] = [replace(r, index=i) for i, r in enumerate(rules)]
    return rs


def _quote(arg: str) -> str:
    return f'"{arg}"' if " " in arg else arg


def trace(rules: Union[str, Ruleset], packet: Packet, local_ips: Iterable[str] = ()) -> Trace:
    """Walk `packet` through nat and filter hooks of the node whose addresses are `local_ips`."""
    rs = _with_builtin_jumps(parse(rules) if isinstance(rules, str) else rules)
    w = _Walker(rs, packet, local_ips)
    start: list = [(1.0, _State(packet.dst_ip, packet.dst_port), (), "")]
    if packet.src_local:
        branches = w.hook("filter", "OUTPUT", w.hook("nat", "OUTPUT", start))
        branches = w.hook("nat", "POSTROUTING", branches)
        local = [b for b in branches if w.is_local(b[1].dst_ip, b[1].dnat is None)]
        rest = [b for b in branches if b not in local]
        branches = rest + w.hook("filter", "INPUT", local)
    else:
        branches = w.hook("nat", "PREROUTING", start)
        local = [b for b in branches if w.is_local(b[1].dst_ip, b[1].dnat is None)]
        forwarded = [b for b in branches if b not in local]
        branches = (w.hook("filter", "INPUT", local)
                    + w.hook("nat", "POSTROUTING", w.hook("filter", "FORWARD", forwarded)))
    return _result(packet, branches)


def _result(packet: Packet, branches: list) -> Trace:
    outcomes = []
    steps: list = []
    seen: set = set()
    for prob, st, path, _ in branches:
        verdict = st.verdict or ("DNAT" if st.dnat else "ACCEPT")
        outcomes.append(Outcome(prob, verdict, f"{st.dst_ip}:{st.dst_port}", st.masquerade, st.sep,
                                st.affinity, path))
        for s in path:
            key = (s.table, s.chain, s.rule.index if s.rule else -1, s.verdict, round(s.probability, 9))
            if key not in seen:
                seen.add(key)
                steps.append(s)
    return Trace(packet, tuple(steps), tuple(outcomes))
