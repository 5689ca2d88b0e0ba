"""Parse iptables-restore / iptables-save text into rules (pure; the matches kube-proxy uses).

Reads both our own restore input and the kernel's `iptables-save` (which reorders options, adds
/32, quotes comments, and spells MARK targets as --set-xmark), so `trace` and the round-trip test
can work on either. `Rule.key()` is a canonical form that is equal for both spellings.
"""

from __future__ import annotations

import ipaddress
import shlex
from dataclasses import dataclass, field
from typing import Optional, Tuple

Neg = Tuple[bool, str]  # (negated, value)


@dataclass(frozen=True)
class Recent:
    """An xt_recent match: --rcheck (look up) or --set (record) the source IP in list `name`."""

    name: str
    action: str  # "rcheck" | "set" | "update" | "remove"
    seconds: Optional[int] = None
    reap: bool = False


@dataclass(frozen=True)
class Rule:
    """One rule of one chain, with the matches and target kube-proxy emits."""

    table: str
    chain: str
    index: int
    text: str
    src: Optional[Neg] = None
    dst: Optional[Neg] = None
    proto: Optional[str] = None
    dport: Optional[int] = None
    src_type: Optional[Neg] = None
    dst_type: Optional[Neg] = None
    mark: Optional[Tuple[bool, int, int]] = None  # (negated, value, mask)
    ctstate: Optional[Tuple[bool, frozenset]] = None
    comment: Optional[str] = None
    probability: Optional[float] = None
    recent: Optional[Recent] = None
    target: Optional[str] = None
    target_args: Tuple[str, ...] = ()
    unknown: Tuple[str, ...] = ()
    counters: Optional[Tuple[int, int]] = None

    def key(self) -> tuple:
        """A canonical form: equal for our text and the kernel's iptables-save of the same rule."""
        prob = None if self.probability is None else round(self.probability, 6)
        return (self.table, self.chain, _net(self.src), _net(self.dst), self.proto, self.dport,
                self.src_type, self.dst_type, self.mark, self.ctstate, self.comment, prob, self.recent,
                self.target, _canonical_target(self.target, self.target_args), self.unknown)

    def target_arg(self, name: str) -> Optional[str]:
        """The value following `name` among the target's options, if any."""
        args = self.target_args
        for i, a in enumerate(args[:-1]):
            if a == name:
                return args[i + 1]
        return None


@dataclass
class Ruleset:
    """Tables → chains → rules, chains in the order first seen."""

    chains: dict = field(default_factory=dict)  # (table, chain) -> list[Rule]
    policies: dict = field(default_factory=dict)  # (table, chain) -> "ACCEPT" | "-" ...

    def rules(self, table: str, chain: str) -> list:
        """The rules of one chain (empty if the chain is unknown)."""
        return self.chains.get((table, chain), [])

    def has_chain(self, table: str, chain: str) -> bool:
        """Whether the chain was declared or given rules."""
        return (table, chain) in self.chains

    def all_rules(self) -> list:
        """Every rule in chain order."""
        return [r for rules in self.chains.values() for r in rules]


def _net(value: Optional[Neg]):
    if value is None:
        return None
    return value[0], str(ipaddress.ip_network(value[1], strict=False))


def _mark_pair(text: str) -> Tuple[int, int]:
    value, _, mask = text.partition("/")
    return int(value, 0), int(mask, 0) if mask else 0xFFFFFFFF


def _canonical_target(target: Optional[str], args: Tuple[str, ...]) -> tuple:
    if target == "MARK" and len(args) >= 2:
        value, mask = _mark_pair(args[1])
        # --or-mark X is --set-xmark X/X; --xor-mark X is --set-xmark X/0 (what iptables-save shows).
        if args[0] == "--or-mark":
            mask = value
        elif args[0] == "--xor-mark":
            mask = 0
        elif args[0] == "--set-mark":
            mask = 0xFFFFFFFF if "/" not in args[1] else mask
        return ("--set-xmark", value, mask)
    if target == "REJECT" and not args:
        return ("--reject-with", "icmp-port-unreachable")
    return tuple(args)


_VALUE_OPTS = {"--mode", "--mask", "--hitcount", "--name", "--seconds"}


def parse_rule(table: str, line: str, index: int = 0, counters=None) -> Rule:
    """Parse one "-A CHAIN ..." line."""
    tokens = shlex.split(line)
    fields: dict = {"text": line, "counters": counters}
    unknown: list = []
    recent: dict = {}
    neg = False
    i = 0

    def value() -> str:
        nonlocal i
        i += 1
        return tokens[i]

    chain = ""
    while i < len(tokens):
        tok = tokens[i]
        if tok == "!":
            neg = True
            i += 1
            continue
        if tok in ("-A", "--append", "-I", "--insert"):
            chain = value()
            if tok in ("-I", "--insert") and i + 1 < len(tokens) and tokens[i + 1].isdigit():
                i += 1
        elif tok in ("-s", "--source", "--src"):
            fields["src"] = (neg, value())
        elif tok in ("-d", "--destination", "--dst"):
            fields["dst"] = (neg, value())
        elif tok in ("-p", "--protocol"):
            fields["proto"] = value().lower()
        elif tok in ("-m", "--match"):
            value()  # the module name; its options follow and are recognised by name
        elif tok in ("--dport", "--destination-port"):
            fields["dport"] = int(value())
        elif tok == "--comment":
            fields["comment"] = value()
        elif tok in ("--dst-type", "--src-type"):
            fields["dst_type" if tok == "--dst-type" else "src_type"] = (neg, value())
        elif tok == "--mark":
            v, m = _mark_pair(value())
            fields["mark"] = (neg, v, m)
        elif tok in ("--ctstate", "--state"):
            fields["ctstate"] = (neg, frozenset(value().split(",")))
        elif tok == "--probability":
            fields["probability"] = float(value())
        elif tok in ("--rcheck", "--set", "--update", "--remove"):
            recent["action"] = tok[2:]
        elif tok == "--reap":
            recent["reap"] = True
        elif tok == "--rsource":
            pass  # xt_recent's default (key on the source address), added by iptables-save
        elif tok in _VALUE_OPTS:
            v = value()
            if tok == "--name":
                recent["name"] = v
            elif tok == "--seconds":
                recent["seconds"] = int(v)
            elif tok == "--mask" and v != "255.255.255.255":
                unknown.append(f"--mask {v}")
        elif tok in ("-j", "--jump"):
            fields["target"] = value()
            fields["target_args"] = tuple(tokens[i + 1:])
            break
        else:
            has_value = i + 1 < len(tokens) and not tokens[i + 1].startswith("-")
            unknown.append(("! " if neg else "") + tok + (" " + value() if has_value else ""))
        neg = False
        i += 1
    if recent:
        fields["recent"] = Recent(name=recent.get("name", "DEFAULT"), action=recent.get("action", "set"),
                                  seconds=recent.get("seconds"), reap=recent.get("reap", False))
    return Rule(table=table, chain=chain, index=index, unknown=tuple(unknown), **fields)


def parse(text: str) -> Ruleset:
    """Parse restore input or iptables-save output (with or without -c counters)."""
    rs = Ruleset()
    table = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line == "COMMIT":
            continue
        counters = None
        if line.startswith("[") and "]" in line:
            head, line = line[1:].split("]", 1)
            pkts, _, nbytes = head.partition(":")
            counters, line = (int(pkts), int(nbytes)), line.strip()
        if line.startswith("*"):
            table = line[1:]
        elif line.startswith(":"):
            name, policy = (line[1:].split() + ["-"])[:2]
            # With --noflush, a chain line creates the chain or flushes it.
            rs.chains[(table, name)] = []
            rs.policies[(table, name)] = policy
        elif line.startswith(("-X ", "--delete-chain ")):
            rs.chains.pop((table, line.split()[1]), None)
        elif line.startswith(("-N ", "--new-chain ")):
            rs.chains.setdefault((table, line.split()[1]), [])
        elif line.startswith(("-A ", "--append ", "-I ", "--insert ")):
            rule = parse_rule(table, line, counters=counters)
            rules = rs.chains.setdefault((table, rule.chain), [])
            if line.startswith(("-I", "--insert")):
                rules.insert(0, rule)
            else:
                rules.append(rule)
    for (table, chain), rules in rs.chains.items():
        rs.chains[(table, chain)] = [_reindex(r, n) for n, r in enumerate(rules)]
    return rs


def _reindex(rule: Rule, index: int) -> Rule:
    if rule.index == index:
        return rule
    return Rule(**{**rule.__dict__, "index": index})
