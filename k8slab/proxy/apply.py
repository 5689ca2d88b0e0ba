"""Apply rendered rules inside a node's network namespace: one iptables-restore per sync.

This and `read_rules` are the only I/O in the package. As in kube-proxy, a node's first sync is a
full one: it reads the live rules once (iptables-save) to find stale chains and to ensure the jump
rules from the built-in chains (PREROUTING → KUBE-SERVICES...), which are not part of the restore
text. Later syncs are partial: only the chains whose rules changed are written, and stale
per-service chains are flushed and deleted in the same input, so each is one atomic restore.
(Rootless iptables-nft is the exception: its netlink batches are limited in size, so a large input
is split into several restores; see batches.py.)
"""

from __future__ import annotations

import os
import re
import shutil
import logging
import subprocess
from typing import Iterable, Optional, Sequence

from k8slab.proxy.batches import split_restore_input
from k8slab.proxy.chains import KUBE_PROXY_CANARY, is_service_chain, jump_rules
from k8slab.proxy.render import chain_line
from k8slab.proxy.rules import Ruleset, parse, parse_rule

# The iptables on PATH (Debian: iptables-nft); "iptables-legacy" or "iptables-nft" pick a backend.
IPTABLES = "iptables"
# kube-proxy passes --noflush (leave other chains alone) and --counters; "-w 5" waits for the
# xtables lock, which iptables-legacy takes in /run (shared by every node of the sandbox).
RESTORE_FLAGS = ("-w", "5", "--noflush", "--counters")
# kube-proxy sets this so that NodePorts answer on 127.0.0.1 (the KUBE-FIREWALL rule limits it).
_ROUTE_LOCALNET = "/proc/sys/net/ipv4/conf/all/route_localnet"
TIMEOUT = 60
log = logging.getLogger(__name__)


class ApplyError(RuntimeError):
    """iptables-restore or iptables-save failed in a node's network namespace."""

    def __init__(self, message: str, stderr: str = "", line_number: Optional[int] = None,
                 line: Optional[str] = None):
        super().__init__(message)
        self.stderr = stderr
        self.line_number = line_number
        self.line = line


def in_netns(pid: int, argv: Sequence[str]) -> list:
    """argv run inside the network namespace of process `pid`."""
    return ["nsenter", "-t", str(pid), "-n", *argv]


def _run(pid: int, argv: Sequence[str], stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(in_netns(pid, argv), input=stdin, capture_output=True, text=True,
                              timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ApplyError(f"cannot run {argv[0]} in the network namespace of pid {pid}: {e}") from e


def save(pid: int, counters: bool = False, setup_sh: str = "") -> str:
    """`iptables-save` (every table) inside the netns of `pid`."""
    argv = [f"{IPTABLES}-save"] + (["-c"] if counters else [])
    if setup_sh:
        argv = ["sh", "-c", f"{setup_sh}; exec {' '.join(argv)}"]
    p = _run(pid, argv)
    if p.returncode != 0:
        raise ApplyError(f"iptables-save failed in the network namespace of pid {pid}: {p.stderr.strip()}",
                         stderr=p.stderr)
    return p.stdout


def read_rules(pid: int, counters: bool = False, tables: Iterable[str] = ("filter", "nat")) -> str:
    """The live rules of the requested tables (iptables-save format, without timestamp comments)."""
    wanted = list(tables)
    sections: dict = {}
    table = None
    for line in save(pid, counters).splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("*"):
            table = line[1:]
        if table in wanted:
            sections.setdefault(table, []).append(line)
    return "".join("\n".join(sections[t]) + "\n" for t in wanted if t in sections)


def restore(pid: int, text: str) -> None:
    """Feed `text` to iptables-restore --noflush --counters inside the netns of `pid`."""
    if _batch_limited(IPTABLES):
        for chunk in split_restore_input(text, MAX_BATCH_LINES):
            _restore_once(pid, chunk)
        return
    try:
        _restore_once(pid, text)
    except ApplyError as e:
        if "Message too long" not in e.stderr:
            raise
        _LIMITED.add(IPTABLES)  # detection missed it: from now on, split every input
        restore(pid, text)


# Rules per restore input when the netlink batch is limited (a few hundred rules fit; see batches).
MAX_BATCH_LINES = 200
_LIMITED: set = set()  # iptables commands whose batches must be split
_CHECKED: set = set()


def _batch_limited(iptables: str) -> bool:
    """True for iptables-nft inside a user namespace (rootless): large batches fail there."""
    if iptables not in _CHECKED:
        _CHECKED.add(iptables)
        try:
            with open("/proc/self/uid_map") as f:
                in_userns = f.read().split() != ["0", "0", "4294967295"]
        except OSError:
            in_userns = False
        binary = os.path.realpath(shutil.which(f"{iptables}-restore") or "")
        if in_userns and "nft" in os.path.basename(binary):
            _LIMITED.add(iptables)
    return iptables in _LIMITED


def _restore_once(pid: int, text: str) -> None:
    p = _run(pid, [f"{IPTABLES}-restore", *RESTORE_FLAGS], stdin=text)
    if p.returncode == 0:
        return
    # One line for the user: iptables' own lines, without its "Try `iptables-restore -h'" advice.
    stderr = " / ".join(x.strip() for x in p.stderr.splitlines() if x.strip() and not x.startswith("Try "))
    m = re.search(r"line:? (\d+)", stderr)
    number = int(m.group(1)) if m else None
    lines = text.splitlines()
    line = lines[number - 1] if number and 0 < number <= len(lines) else None
    where = f"; line {number}: {line}" if line is not None else ""
    raise ApplyError(f"iptables-restore failed in the network namespace of pid {pid}: {stderr}{where}",
                     stderr=p.stderr, line_number=number, line=line)


class AppliedChains(set):
    """The per-service nat chains in use, plus a digest of every chain as last written."""

    def __init__(self, chains: Iterable[str] = (), digests: Optional[dict] = None):
        super().__init__(chains)
        self.digests = dict(digests or {})


def apply(pid: int, text: str, previous_chains: Optional[set] = None) -> AppliedChains:
    """Apply rendered `text` in the netns of `pid`; return the per-service chains now in use.

    Pass the returned set back as `previous_chains` on the next sync of the same node: only the
    chains whose rules changed are then written (kube-proxy's partial sync). Pass None on a node's
    first sync: the live rules are read once to find stale chains and missing jump rules.
    """
    blocks = chain_blocks(text)
    digests = {key: hash("\n".join(lines)) for key, lines in blocks.items()}
    active = {chain for (table, chain) in blocks if table == "nat" and is_service_chain(chain)}
    if previous_chains is None:
        _full_sync(pid, text, active)
    else:
        previous = getattr(previous_chains, "digests", {})
        changed = {key for key, digest in digests.items() if previous.get(key) != digest}
        stale = sorted(set(previous_chains) - active)
        # Everything changed (e.g. a plain set was passed): send the text as rendered.
        body = text if len(changed) == len(blocks) else only_chains(blocks, changed)
        delta = compose(body, stale) if changed or stale else ""
        if delta:
            try:
                restore(pid, delta)
            except ApplyError:
                # Someone changed our chains behind our back (or a chain we trusted is gone):
                # fall back to a full sync, as kube-proxy does after a failed partial one.
                _full_sync(pid, text, active)
    return AppliedChains(active, digests)


def _full_sync(pid: int, text: str, active: set) -> None:
    localnet = ":KUBE-FIREWALL " in text  # rendered with localhost NodePorts
    setup = f"echo 1 2>/dev/null >{_ROUTE_LOCALNET}" if localnet else ""
    existing = parse(_chains_and_jumps(save(pid, setup_sh=setup)))
    stale = {c for (t, c) in existing.chains if t == "nat" and is_service_chain(c)} - active
    restore(pid, compose(text, sorted(stale), bootstrap_lines(existing, text)))


def _chains_and_jumps(saved: str) -> str:
    """Only what a full sync looks at: chain lines and rules of built-in chains (parsing is slow)."""
    keep = ("*", ":", "COMMIT", "-A PREROUTING ", "-A INPUT ", "-A FORWARD ", "-A OUTPUT ", "-A POSTROUTING ")
    return "\n".join(line for line in saved.splitlines() if line.startswith(keep))


def chain_blocks(text: str) -> dict:
    """{(table, chain): [its -A lines]} for every chain `text` declares."""
    blocks: dict = {}
    table = ""
    for line in text.splitlines():
        if line.startswith("*"):
            table = line[1:]
        elif line.startswith(":"):
            blocks[(table, line[1:line.index(" ")])] = []
        elif line.startswith("-A "):
            blocks.setdefault((table, line[3:line.index(" ", 3)]), []).append(line)
    return blocks


def only_chains(blocks: dict, keep: set) -> str:
    """Restore input for just the chains in `keep`; with --noflush the others keep their rules."""
    tables: dict = {}
    for (table, chain), lines in blocks.items():
        if (table, chain) in keep:
            decls, rules = tables.setdefault(table, ([], []))
            decls.append(chain_line(chain))
            rules.extend(lines)
    return "".join(f"*{t}\n" + "".join(f"{x}\n" for x in d + r) + "COMMIT\n" for t, (d, r) in tables.items())


def bootstrap_lines(existing: Ruleset, text: str) -> dict:
    """{table: (chain lines, rule lines)} that create canaries, jump targets and missing jumps."""
    declared = chain_blocks(text)
    extra: dict = {}

    def declare(table: str, chain: str) -> None:
        if not existing.has_chain(table, chain) and (table, chain) not in declared:
            decls = extra.setdefault(table, ([], []))[0]
            if chain_line(chain) not in decls:
                decls.append(chain_line(chain))

    for table in ("mangle", "nat", "filter"):
        # An empty chain whose disappearance tells kube-proxy that someone flushed its tables.
        declare(table, KUBE_PROXY_CANARY)
    for table, chain, args in jump_rules():
        declare(table, args[-1])
        quoted = " ".join(f'"{a}"' if " " in a else a for a in args)
        wanted = parse_rule(table, f"-A {chain} {quoted}").key()
        if not any(r.key() == wanted for r in existing.rules(table, chain)):
            # -I, one after the other: the last jump ensured ends up first, as with kube-proxy.
            extra.setdefault(table, ([], []))[1].append(f"-I {chain} {quoted}")
    return extra


def compose(text: str, stale: Sequence[str], extra: Optional[dict] = None) -> str:
    """`text` plus stale-chain deletion and bootstrap lines, still one restore input."""
    extra = dict(extra or {})
    if stale:
        decls, rules = extra.get("nat", ([], []))
        # As kube-proxy does: a chain line flushes the stale chain, then -X deletes it.
        extra["nat"] = (decls + [chain_line(c) for c in stale], rules + [f"-X {c}" for c in stale])
    out: list = []
    table = ""
    for line in text.splitlines():
        if line.startswith("*"):
            table = line[1:]
            out.append(line)
            out += extra.get(table, ([], []))[0]
            continue
        if line == "COMMIT":
            out += extra.pop(table, ([], []))[1]
        out.append(line)
    for table, (decls, rules) in extra.items():  # tables the text does not mention (mangle)
        out += [f"*{table}", *decls, *rules, "COMMIT"]
    out = _drop_empty_tables(out)
    return "\n".join(out) + "\n" if out else ""


def _drop_empty_tables(lines: list) -> list:
    out: list = []
    for line in lines:
        if line == "COMMIT" and out and out[-1].startswith("*"):
            out.pop()  # nothing to do in this table: spare iptables a transaction
        else:
            out.append(line)
    return out


def flush_udp_conntrack(pid: int, destinations) -> None:
    """Delete UDP conntrack entries to (address or CIDR, port) destinations; None matches any."""
    for ip, port in destinations:
        argv = ["conntrack", "-D", "-p", "udp"]
        if port:
            argv += ["--orig-port-dst", str(port)]
        if ip:
            argv += ["--orig-dst", ip]
        try:
            # Exit status 1 just means there was nothing to delete.
            subprocess.run(in_netns(pid, argv), capture_output=True, timeout=TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            log.warning("conntrack flush failed for %s:%s", ip, port)


def atomic() -> bool:
    """Does one sync reach the kernel in one transaction? (Not for rootless iptables-nft: see batches.)"""
    return not _batch_limited(IPTABLES)
