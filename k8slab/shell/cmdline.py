"""Reading a command line as the shell will run it: its words and what each word is (pure).

Completion asks "what is the word at the cursor?", highlighting asks "what is each word?"; both get
their answer here, from the command declarations, so the two cannot disagree. Nothing here raises:
a half-typed line (an open quote, an unknown command) is read as far as it makes sense.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from k8slab.shell.registry import Command, Flag, Registry


@dataclass(frozen=True)
class Token:
    """One word of the line: where it is, how it was typed, and its value once unquoted."""

    start: int
    end: int
    raw: str
    value: str
    quoted: bool = False  # contains a quote or an escape
    closed: bool = True  # False while a quote is still open


def tokenize(text: str) -> List[Token]:
    """Split a line into words as sh would (quotes, backslashes); an unquoted `|` is a word of its own."""
    tokens: List[Token] = []
    k, n = 0, len(text)
    while k < n:
        if text[k].isspace():
            k += 1
            continue
        if text[k] == "|":
            tokens.append(Token(k, k + 1, "|", "|"))
            k += 1
            continue
        start, value, quote, quoted = k, [], None, False
        while k < n and (quote or not (text[k].isspace() or text[k] == "|")):
            ch = text[k]
            if quote:
                if ch == quote:
                    quote = None
                elif ch == "\\" and quote == '"' and k + 1 < n and text[k + 1] in '"\\$`':
                    k += 1
                    value.append(text[k])
                else:
                    value.append(ch)
            elif ch in "'\"":
                quote, quoted = ch, True
            elif ch == "\\" and k + 1 < n:
                k += 1
                quoted = True
                value.append(text[k])
            else:
                value.append(ch)
            k += 1
        tokens.append(Token(start, k, text[start:k], "".join(value), quoted, quote is None))
    return tokens


# Positional words whose first word is a verb: verb -> (description, hints for the words after it).
VERBS: Dict[str, Dict[str, Tuple[str, Tuple[str, ...]]]] = {
    "create-what": {
        "namespace": ("a namespace: kubectl create namespace NAME", ("new",)),
        "deployment": ("a deployment: kubectl create deployment NAME --image=IMAGE", ("new",)),
    },
    "rollout-what": {
        "status": ("watch a rollout until it ends", ("kind",)),
        "history": ("list the revisions", ("kind",)),
        "undo": ("go back to the previous revision (or --to-revision=N)", ("kind",)),
        "restart": ("replace every pod, one rollout", ("kind",)),
    },
    "set-what": {"image": ("change container images: TYPE/NAME CONTAINER=IMAGE", ("kind", "container=image"))},
    "proxy-what": {"rules": ("a node's kube-proxy rules, or one Service's", ("node-or-service", "service"))},
    "dns-what": {
        "records": ("the records the cluster DNS serves", ("ns/service",)),
        "log": ("show each DNS query as it arrives", ("on|off",)),
    },
    "node-what": {
        "stop": ("make the node fail: processes stop, link unplugged", ("node",)),
        "start": ("bring a stopped node back", ("node",)),
    },
    "lesson-what": {
        "list": ("the lessons, with what you have done", ()),
        "start": ("start a lesson by number or id: lesson start 1", ("lesson",)),
        "status": ("show the current step again", ()),
        "next": ("run the step's solution and move on", ()),
        "back": ("go back one step", ()),
        "reset": ("start the lesson again from a fresh cluster", ()),
        "resume": ("pick up a saved lesson", ()),
        "stop": ("leave the lesson (its progress stays)", ()),
    },
    "lab-what": {
        "list": ("the classroom labs", ()),
        "start": ("start a lab: lab start N --student NAME --code CODE", ("lab",)),
        "status": ("the tasks, the clock and (not in exams) your score", ()),
        "hint": ("one more hint for a task, at its cost", ("task",)),
        "answer": ("answer a question task: lab answer TASK TEXT", ("task",)),
        "submit": ("hand in: writes your submission and signed report", ()),
        "stop": ("leave the lab without submitting", ()),
        "resume": ("rebuild the lab you were doing", ()),
    },
}
VERB_ALIASES = {"ns": "namespace", "deploy": "deployment"}  # `kubectl create ns NAME`

@dataclass(frozen=True)
class Slot:
    """What a word is: its role, the command it belongs to, its flag, its positional hint."""

    # command, unknown, host, host-command, shell, pipe, subcommand, flag, value, dashdash, rest, arg
    role: str
    command: Optional[Command] = None
    flag: Optional[Flag] = None  # for flags (None: unknown flag) and flag values
    hint: str = ""  # for positional words: "kind", "name", "pod", "node", a verb table...
    attached: int = 0  # for a flag with its value attached (`--image=nginx`): where the value starts


@dataclass(frozen=True)
class Tables:
    """The command declarations and host names a line is read against."""

    registry: Registry
    kubectl: Registry
    hosts: Tuple[str, ...] = ()
    nodes: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Line:
    """A read line: each token's slot, the positional words by hint, and the namespace it asks for."""

    tokens: Tuple[Token, ...]
    slots: Tuple[Slot, ...]

    def args(self) -> List[Tuple[str, str]]:
        """(hint, value) of each positional word."""
        return [(s.hint, t.value) for t, s in zip(self.tokens, self.slots) if s.role == "arg"]

    def flag_values(self, *names: str) -> List[str]:
        """Every value given to a flag spelled by any of `names`, in order."""
        out = []
        for t, s in zip(self.tokens, self.slots):
            if s.flag is None or not set(names) & set(s.flag.names):
                continue
            if s.role == "flag" and s.attached and not t.quoted:
                out.append(t.value[s.attached:])
            elif s.role == "value":
                out.append(t.value)
        return out

    def has_flag(self, *names: str) -> bool:
        """Was a flag spelled by any of `names` given?"""
        return any(s.role == "flag" and s.flag is not None and set(names) & set(s.flag.names) for s in self.slots)

    def namespace(self) -> Optional[str]:
        """The namespace asked for with -n/--namespace anywhere on the line (the last one wins), or None."""
        values = [v for v in self.flag_values("-n", "--namespace") if v]
        return values[-1] if values else None


def long_name(flag: Flag) -> str:
    """A flag's first long spelling (`--namespace`), or its only one."""
    return next((n for n in flag.names if n.startswith("--")), flag.names[0])


def read_line(tokens: Sequence[Token], tables: Tables) -> Line:
    """Give every token its slot."""
    slots: List[Slot] = []
    if not tokens:
        return Line((), ())
    pipe = next((i for i, t in enumerate(tokens) if t.raw == "|"), len(tokens))
    first = tokens[0].value
    if first in tables.hosts:
        slots.append(Slot("host"))
        slots += [Slot("host-command" if i == 1 else "shell") for i in range(1, len(tokens))]
        return Line(tuple(tokens), tuple(slots))
    command = tables.registry.find(first) if tokens[0].raw != "|" else None
    rest = list(tokens[1:pipe])
    if command is None:
        slots.append(Slot("pipe") if tokens[0].raw == "|" else Slot("unknown", hint="command"))
        slots += [Slot("rest") for _ in rest]
    elif command.name == "kubectl":
        slots.append(Slot("command", command))
        if rest:
            sub = tables.kubectl.find(rest[0].value)
            slots.append(Slot("subcommand", sub) if sub else Slot("unknown", command, hint="subcommand"))
            slots += _read_args(sub, rest[1:], tables) if sub else [Slot("rest") for _ in rest[1:]]
    else:
        slots.append(Slot("command", command))
        slots += _read_args(command, rest, tables)
    for t in tokens[pipe:]:
        slots.append(Slot("pipe") if t.raw == "|" else Slot("shell"))
    return Line(tuple(tokens), tuple(slots))


def find_flag(command: Command, word: str) -> Tuple[Optional[Flag], int]:
    """The flag a word spells, and where its attached value starts (0: none): `--image=x`, `-n=x`, `-owide`."""
    name, eq, _ = word.partition("=")
    for f in command.flags:
        if name in f.names:
            return f, (len(name) + 1 if eq else 0)
    if not word.startswith("--") and len(word) > 2:
        for f in command.flags:
            if word[:2] in f.names and f.value:
                return f, 2
        # Short switches written together, as `-it` for `-i -t`.
        shorts = [next((f for f in command.flags if f"-{ch}" in f.names), None) for ch in word[1:]]
        if all(f is not None and f.value is None for f in shorts):
            return shorts[-1], 0
    return None, 0


def _read_args(command: Command, tokens: Sequence[Token], tables: Tables) -> List[Slot]:
    slots: List[Slot] = []
    hints = _Hints(command.positional, tables.nodes)
    pending: Optional[Flag] = None
    dashdash = False
    for t in tokens:
        if dashdash:
            slots.append(Slot("rest", command))
        elif pending is not None:
            slots.append(Slot("value", command, pending))
            pending = None
        elif t.raw == "--":
            slots.append(Slot("dashdash", command))
            dashdash = True
        elif t.raw.startswith("-") and len(t.raw) > 1:
            flag, attached = find_flag(command, t.value)
            if flag is not None and flag.value and not attached:
                pending = flag
            slots.append(Slot("flag", command, flag, attached=attached))
        else:
            slots.append(Slot("arg", command, hint=hints.take(t.value)))
    return slots


class _Hints:
    """Hands out the positional hints in order, following verbs, KIND/NAME forms and repeats."""

    def __init__(self, positional: Sequence[str], nodes: Sequence[str]):
        self.queue = list(positional)
        self.nodes = nodes
        self.repeat = ""

    def take(self, word: str) -> str:
        """The hint for the next positional word, given the word itself."""
        if not self.queue:
            return self.repeat or "extra"
        hint = self.queue.pop(0)
        if hint in VERBS:
            verb = VERBS[hint].get(VERB_ALIASES.get(word, word))
            self.queue = list(verb[1]) if verb else []
        elif hint == "kind":
            self._after_kind(word)
        elif hint == "node-or-service" and word not in self.nodes:
            self.queue = []  # that was the Service; the node was left out
        elif hint in ("name", "container=image"):
            self.repeat = hint
        return hint

    def _after_kind(self, word: str) -> None:
        follows_name = self.queue[:1] == ["name"]
        if "/" in word:  # KIND/NAME: the name is given; more KIND/NAME words may follow
            if follows_name:
                self.queue.pop(0)
                self.repeat = "kind"
        elif not follows_name:
            self.queue.insert(0, "name")  # `rollout status deployment web`
