"""Help generated from the command declarations: the one-screen overview and each command's usage.

A command's help reads like kubectl's (cobra's): a sentence, then Usage, Aliases, Flags and Examples.
The overview groups the shell's commands (Lessons, Cluster, Network, kubectl, Session) and must fit a 40x120
terminal, so long syntaxes are shortened there; `help COMMAND` always shows them whole.
"""

from __future__ import annotations

from typing import Dict, List, Sequence

from k8slab.shell.registry import Command, Flag

HELP_FLAGS = ("--help", "-h")
WIDTH = 120  # the overview's lines fit a terminal this wide
SYNTAX_COLUMN = 28
GROUPS = ("Lessons", "Cluster", "Network", "kubectl", "Session")
INLINE_GROUPS = ("Lessons", "Session")
KUBECTL_ABOUT = "kubectl controls the (emulated) Kubernetes cluster."


def wants_help(words: Sequence[str]) -> bool:
    """Is `--help` or `-h` among the words before `--`? (After it they belong to another program.)"""
    for word in words:
        if word == "--":
            return False
        if word in HELP_FLAGS:
            return True
    return False


def command_help(cmd: Command) -> str:
    """One command's help: what it does, its usage, aliases, flags and examples."""
    lines = [_sentence(cmd.summary), "", "Usage:", f"  {cmd.syntax}"]
    if cmd.aliases:
        lines += ["", "Aliases:", "  " + ", ".join((cmd.name,) + cmd.aliases)]
    if cmd.flags:
        lines += ["", "Flags:"] + flag_lines(cmd.flags)
    if cmd.examples:
        lines += ["", "Examples:"] + [f"  {e}" for e in cmd.examples]
    return "\n".join(lines)


def flag_lines(flags: Sequence[Flag]) -> List[str]:
    """Flags in cobra's layout: `-n, --namespace NS`, and long-only flags indented to line up."""
    spells = []
    for f in flags:
        short = [n for n in f.names if not n.startswith("--")]
        long = [n for n in f.names if n.startswith("--")]
        spell = ", ".join(short + long) if short else "    " + ", ".join(long)
        spells.append(spell + (f" {f.value}" if f.value else ""))
    width = max(len(s) for s in spells)
    return [f"  {s:<{width}}   {f.help}" for s, f in zip(spells, flags)]


def kubectl_help(kubectl: Command, subcommands: Sequence[Command]) -> str:
    """`kubectl`, `kubectl --help`, `help kubectl`: the subcommands and how to learn more."""
    width = max(len(c.name) for c in subcommands) + 2
    lines = [KUBECTL_ABOUT, "", "Usage:", f"  {kubectl.syntax}", "", "Aliases:",
             "  " + ", ".join((kubectl.name,) + kubectl.aliases), "", "Commands:"]
    lines += [_fit(f"  {c.name:<{width}}{c.summary}") for c in subcommands]
    lines += ["", 'Use "kubectl <command> --help" for more information about a given command.']
    return "\n".join(lines)


def overview(commands: Sequence[Command], subcommands: Sequence[Command], hosts: Sequence[str]) -> str:
    """`help`: every command on one screen, grouped, and how to get more."""
    groups: Dict[str, List[Command]] = {g: [] for g in GROUPS}
    for cmd in commands:
        groups.setdefault(cmd.group or "Cluster", []).append(cmd)
    lines: List[str] = []
    for group, members in groups.items():
        if not members and group != "kubectl":
            continue
        if group == "kubectl":
            lines += _kubectl_group(members, subcommands)
            continue
        if group in INLINE_GROUPS:  # self-explanatory commands: one line saves the screen's rows
            lines.append(f"{group}: " + "; ".join(c.syntax + _aliases(c) for c in members))
            continue
        lines.append(f"{group}:")
        lines += [_row(_brief(c.syntax), c.summary + _aliases(c)) for c in members]
        if group == "Network":
            lines.append(_row("<host> <shell command>", f"run a command on a node or host: {', '.join(hosts)}"))
    lines += ["", "Examples: kubectl run web --image=nginx | kubectl get pods -o wide | node1 ip route",
              "More: `help COMMAND` or `COMMAND --help` for its usage, flags and examples "
              "(help get, trace --help, kubectl edit -h)"]
    return "\n".join(_fit(line) for line in lines)


def _kubectl_group(kubectl: Sequence[Command], subcommands: Sequence[Command]) -> List[str]:
    if not kubectl:
        return []
    cmd = kubectl[0]
    lines = [f"{cmd.syntax}{_aliases(cmd)}: {cmd.summary}"]
    width = max(len(c.name) for c in subcommands) + 2
    return lines + [f"  {c.name:<{width}}{c.summary}" for c in subcommands]


def _row(syntax: str, summary: str) -> str:
    return f"  {syntax:<{SYNTAX_COLUMN}} {summary}"


def _aliases(cmd: Command) -> str:
    return f" (also {', '.join(cmd.aliases)})" if cmd.aliases else ""


def _brief(syntax: str, width: int = SYNTAX_COLUMN) -> str:
    """A syntax short enough for the overview's column: its first form, trailing options dropped."""
    first = _first_form(syntax)
    shortened = first != syntax
    while len(first) > width and first.endswith("]") and "[" in first:
        first = first[:first.rindex("[")].rstrip()
        shortened = True
    if shortened and len(first) + 4 <= width:
        first += " ..."
    return first if len(first) <= width else first[:width - 3] + "..."


def _first_form(syntax: str) -> str:
    """`dns records [NS/SVC] | dns log on|off` -> `dns records [NS/SVC]` (a `|` inside [...] stays)."""
    depth = 0
    for i, ch in enumerate(syntax):
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth == 0 and syntax.startswith(" | ", i):
            return syntax[:i]
    return syntax


def _sentence(summary: str) -> str:
    text = summary[:1].upper() + summary[1:]
    return text if text.endswith(".") else text + "."


def _fit(line: str) -> str:
    return line if len(line) <= WIDTH else line[:WIDTH - 3] + "..."
