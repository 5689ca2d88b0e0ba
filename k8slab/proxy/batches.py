"""Split one iptables-restore input into several smaller ones (pure).

iptables-nft sends a whole restore input to the kernel as one netlink batch and asks for a large
socket buffer with SO_SNDBUFFORCE. Inside a user namespace (the rootless sandbox) that needs
CAP_NET_ADMIN in the initial namespace and fails, so the batch must fit the default buffer
(net.core.wmem_default, ~208 KiB: a few hundred rules) or sendmsg() fails with "Message too long".
The pieces keep every chain's declaration with its first rules and come in dependency order (a
chain is filled before rules jump to it), so each piece applies on its own; only the atomicity of
the whole sync is lost.
"""

from __future__ import annotations

from typing import List


def _target(rule: str) -> str:
    at = rule.rfind(" -j ")
    return rule[at + 4:].split(" ", 1)[0] if at >= 0 else ""


class _Table:
    def __init__(self, name: str):
        self.name = name
        self.decls: dict = {}  # chain -> ":CHAIN - [0:0]" line, in order
        self.rules: dict = {}  # chain -> ["-A CHAIN ..."]
        self.inserts: list = []  # "-I BUILTIN ..." lines
        self.deletes: list = []  # chains to flush and delete

    def units(self) -> list:
        """Chain blocks (targets before the chains that jump to them), then inserts, then deletes."""
        chains = list(self.decls) + [c for c in self.rules if c not in self.decls]
        gone = set(self.deletes)
        ordered: list = []
        seen: set = set()

        def visit(chain: str) -> None:
            if chain in seen or chain in gone:
                return
            seen.add(chain)
            for rule in self.rules.get(chain, []):
                if _target(rule) in self.decls or _target(rule) in self.rules:
                    visit(_target(rule))
            ordered.append(chain)

        for chain in chains:
            visit(chain)
        units = [([self.decls[c]] if c in self.decls else []) + self.rules.get(c, []) for c in ordered]
        if self.inserts:
            units.append(list(self.inserts))
        if self.deletes:
            units.append([self.decls.get(c, f":{c} - [0:0]") for c in self.deletes] + [f"-X {c}" for c in self.deletes])
        return units


def _tables(text: str) -> List[_Table]:
    tables: list = []
    for line in text.splitlines():
        if line.startswith("*"):
            tables.append(_Table(line[1:]))
        elif line.startswith(":"):
            tables[-1].decls[line[1:].split(" ", 1)[0]] = line
        elif line.startswith("-A "):
            tables[-1].rules.setdefault(line.split(" ", 2)[1], []).append(line)
        elif line.startswith("-I "):
            tables[-1].inserts.append(line)
        elif line.startswith("-X "):
            tables[-1].deletes.append(line.split()[1])
    return tables


def split_restore_input(text: str, max_lines: int) -> List[str]:
    """Restore inputs of at most `max_lines` chain/rule lines each that together equal `text`."""
    chunks: list = [[]]  # each chunk: list of (table, lines)
    size = 0
    for table in _tables(text):
        for unit in table.units():
            for start in range(0, len(unit), max_lines):
                piece = unit[start:start + max_lines]
                if size + len(piece) > max_lines and size:
                    chunks.append([])
                    size = 0
                current = chunks[-1]
                if current and current[-1][0] == table.name:
                    current[-1][1].extend(piece)
                else:
                    current.append((table.name, list(piece)))
                size += len(piece)
    return ["".join(f"*{name}\n" + "".join(f"{x}\n" for x in lines) + "COMMIT\n" for name, lines in chunk)
            for chunk in chunks if chunk]
