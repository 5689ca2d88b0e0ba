"""What fits at the cursor: the first half of completion (pure, over the command declarations).

`what_fits` reads the line and answers with the kinds of word that fit (`Wants`), the typed part
they must match and where it starts. The matchers (matchers.py) turn each Want into candidates from
a store snapshot, as pgcli's `suggest_type` and `PGCompleter.suggestion_matchers` split the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from k8slab.shell.cmdline import VERBS, Line, Slot, Tables, Token, long_name, read_line, tokenize
from k8slab.shell.registry import Command, Flag

Pairs = Tuple[Tuple[str, str], ...]  # (word, one-line description)


@dataclass(frozen=True)
class Commands:
    """The shell's commands (and, first on a line, the hosts that run shell commands)."""

    hosts: bool = True


@dataclass(frozen=True)
class HostCommands:
    """Useful shell commands to run on a node or host."""


@dataclass(frozen=True)
class Subcommands:
    """kubectl's subcommands."""


@dataclass(frozen=True)
class Flags:
    """The flags of a command."""

    command: Command


@dataclass(frozen=True)
class Words:
    """A fixed set of words."""

    pairs: Pairs


@dataclass(frozen=True)
class Kinds:
    """Resource kinds by their plural, singular and short names."""

    allowed: Tuple[str, ...] = ()  # empty: every kind
    extra: Pairs = ()


@dataclass(frozen=True)
class Names:
    """Names of live objects of a kind, in a namespace (None: the session's) or in all of them."""

    kind: str
    namespace: Optional[str] = None
    all_namespaces: bool = False
    prefix: str = ""  # put before each name: "svc/" for trace's destinations
    qualified: bool = False  # NAMESPACE/NAME
    exclude: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Containers:
    """Containers of a pod, or of a workload's pod template."""

    kind: str
    name: str
    namespace: Optional[str] = None
    suffix: str = ""


@dataclass(frozen=True)
class Namespaces:
    """Namespaces in the store."""


@dataclass(frozen=True)
class Images:
    """Images the catalogue knows."""


@dataclass(frozen=True)
class Labels:
    """KEY=VALUE labels carried by objects of a kind (or just the keys)."""

    kind: str
    namespace: Optional[str] = None
    all_namespaces: bool = False
    keys_only: bool = False


@dataclass(frozen=True)
class Paths:
    """Files (manifests) and directories."""

    fragment: str  # the path typed so far: its directory is the one listed
    extensions: Tuple[str, ...] = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Nodes:
    """The cluster's nodes, and optionally `ext` (the learner's laptop)."""

    ext: bool = False


@dataclass(frozen=True)
class Fit:
    """What fits at the cursor: the typed fragment, where it starts in the line, and the wants."""

    fragment: str
    start: int
    wants: tuple


NOTHING_AT = Fit("", 0, ())
# kubectl's resource names for the kinds a subcommand accepts, when it is not all of them.
KIND_LIMITS = {
    "scale": ("Deployment", "ReplicaSet", "StatefulSet"),
    "rollout": ("Deployment", "StatefulSet", "DaemonSet"),
    "set": ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"),
    "expose": ("Pod", "Deployment", "ReplicaSet", "StatefulSet"),
}
# What trace (network.py's resolve_source / resolve_destination) and topo accept before the slash.
TRACE_HEADS = {"source": {"pod": "Pod", "po": "Pod"},
               "destination": {"svc": "Service", "service": "Service", "pod": "Pod", "po": "Pod"},
               "service-ref": {"svc": "Service", "service": "Service", "services": "Service"}}
FOR_VALUES: Pairs = (("condition=Ready", "pods: all containers ready"),
                     ("condition=Available", "deployments: enough pods available"),
                     ("delete", "until the object is gone"),
                     ("create", "until the object exists"),
                     ("jsonpath=", "until a field has a value: jsonpath={.status.phase}=Running"))
DRY_RUN: Pairs = (("client", "print the object, create nothing"), ("server", "as client in k8slab"),
                  ("none", "create it (the default)"))
BOOLS: Pairs = (("true", ""), ("false", ""))
OUTPUT_HELP = {"wide": "more columns: IP, node...", "yaml": "the whole object as YAML", "json": "as JSON",
               "name": "KIND/NAME only", "jsonpath=": "a template, e.g. jsonpath={.status.podIP}"}


def what_fits(before: str, after: str, tables: Tables) -> Fit:
    """What fits at the end of `before`, the line up to the cursor (`after` is the rest of the line)."""
    tokens = tokenize(before)
    if tokens and tokens[-1].end == len(before):
        if not tokens[-1].closed:
            return NOTHING_AT  # inside an open quote: a string, not a word to complete
    else:
        tokens.append(Token(len(before), len(before), "", ""))
    line = read_line(tokens, tables)
    whole = read_line(tokenize(before + after), tables)
    cur, slot = tokens[-1], line.slots[-1]
    if cur.quoted:
        return NOTHING_AT
    return _fit_for_slot(cur, slot, line, whole)


def _fit_for_slot(cur: Token, slot: Slot, line: Line, whole: Line) -> Fit:
    role = slot.role
    if role == "command" or (role == "unknown" and slot.hint == "command"):
        return Fit(cur.value, cur.start, (Commands(),))
    if role == "host-command":
        return Fit(cur.value, cur.start, (HostCommands(),))
    if role == "subcommand" or (role == "unknown" and slot.hint == "subcommand"):
        return Fit(cur.value, cur.start, (Subcommands(),))
    if role == "flag" and slot.attached:
        return _value_fit(slot.flag, cur.value[slot.attached:], cur.start + slot.attached, line, whole)
    if role in ("flag", "dashdash", "arg") and cur.value.startswith("-"):
        return Fit(cur.value, cur.start, (Flags(slot.command),))
    if role == "value":
        return _value_fit(slot.flag, cur.value, cur.start, line, whole)
    if role == "arg":
        return _arg_fit(slot, cur, line, whole)
    return NOTHING_AT


def _value_fit(flag: Flag, text: str, start: int, line: Line, whole: Line) -> Fit:
    name = long_name(flag)
    if flag.choices:
        return Fit(text, start, (Words(tuple((c, OUTPUT_HELP.get(c, "")) for c in flag.choices)),))
    if "-n" in flag.names or name == "--namespace":
        return Fit(text, start, (Namespaces(),))
    wants = {"--filename": Paths(text), "--image": Images(), "--for": Words(FOR_VALUES),
             "--dry-run": Words(DRY_RUN)}.get(name)
    if wants is None and flag.value == "BOOL":
        wants = Words(BOOLS)
    if wants is not None:
        return Fit(text, start, (wants,))
    if name == "--container":
        target = _pod_target(line)
        return Fit(text, start, (Containers(target[0], target[1], whole.namespace()),) if target else ())
    if name in ("--selector", "--label-columns"):
        cut = text.rfind(",") + 1  # label lists: complete the item after the last comma
        kind = _kind_arg(line) or "Pod"
        want = Labels(kind, whole.namespace(), _all(whole), keys_only=name == "--label-columns")
        return Fit(text[cut:], start + cut, (want,))
    return NOTHING_AT


def _arg_fit(slot: Slot, cur: Token, line: Line, whole: Line) -> Fit:
    hint, text, start = slot.hint, cur.value, cur.start
    ns, every = whole.namespace(), _all(whole)
    if hint in ("kind", "pod", "source", "destination", "ns/service", "service-ref") and "/" in text:
        return _slash_fit(hint, text, start, ns, every)
    if hint == "kind":
        cut = text.rfind(",") + 1
        limit = KIND_LIMITS.get(slot.command.name, ())
        extra = (("all", "pods and services together"),) if slot.command.name == "get" and not cut else ()
        return Fit(text[cut:], start + cut, (Kinds(limit, extra),))
    wants = _arg_wants(hint, slot, line, ns, every)
    if hint == "container=image" and "=" in text:
        cut = text.index("=") + 1
        return Fit(text[cut:], start + cut, (Images(),))
    return Fit(text, start, wants)


def _arg_wants(hint: str, slot: Slot, line: Line, ns: Optional[str], every: bool) -> tuple:
    if hint == "name":
        kind = _kind_arg(line)
        typed = tuple(v for h, v in line.args()[:-1] if h == "name")
        return (Names(kind, ns, every, exclude=typed),) if kind else ()
    simple = {
        "pod": (Names("Pod", ns, every),),
        "node": (Nodes(),),
        "service": (Names("Service", ns),),
        "service-ref": (Names("Service", ns, every, prefix="svc/"),),
        "node-or-service": (Nodes(), Names("Service", ns)),
        "source": (Names("Pod"), Nodes(ext=True)),
        "destination": (Names("Service", prefix="svc/"), Names("Pod", prefix="pod/"), Nodes()),
        "ns/service": (Names("Service"), Names("Service", all_namespaces=True, qualified=True)),
        "command": (Commands(hosts=False), Subcommands()),
    }
    if hint in simple:
        return simple[hint]
    if hint in VERBS:
        return (Words(tuple((verb, about) for verb, (about, _) in VERBS[hint].items())),)
    if "|" in hint:
        return (Words(tuple((w, "") for w in hint.split("|"))),)
    if hint == "container=image":
        target = _workload_target(line)
        return (Containers(target[0], target[1], ns, suffix="="),) if target else ()
    return ()


def _slash_fit(hint: str, text: str, start: int, ns: Optional[str], every: bool) -> Fit:
    """KIND/NAME (svc/web, pod/web), or NAMESPACE/SERVICE for `dns records`."""
    head, _, _ = text.partition("/")
    cut = len(head) + 1
    if hint == "ns/service":
        return Fit(text[cut:], start + cut, (Names("Service", head),))
    from k8slab.api import kinds

    info = kinds.try_resolve(head)
    kind = TRACE_HEADS[hint].get(head) if hint in TRACE_HEADS else (info.kind if info else None)
    if kind is None:
        return NOTHING_AT
    return Fit(text[cut:], start + cut, (Names(kind, ns, every and hint == "kind"),))


def _all(line: Line) -> bool:
    return line.has_flag("--all-namespaces")


def _kind_arg(line: Line) -> Optional[str]:
    """The kind named by the line's KIND word (the last one before the cursor)."""
    from k8slab.api import kinds

    for hint, value in reversed(line.args()):
        if hint == "kind":
            info = kinds.try_resolve(value.partition("/")[0].split(",")[0])
            return info.kind if info else None
    return None


def _pod_target(line: Line) -> Optional[Tuple[str, str]]:
    """(kind, name) of the pod a line names (`web`, `pod/web`)."""
    from k8slab.api import kinds

    for hint, value in line.args():
        if hint == "pod":
            head, slash, name = value.partition("/")
            if not slash:
                return "Pod", value
            info = kinds.try_resolve(head)
            return (info.kind, name) if info else None
    return None


def _workload_target(line: Line) -> Optional[Tuple[str, str]]:
    """(kind, name) of the object a line names as KIND NAME or KIND/NAME."""
    from k8slab.api import kinds

    args = line.args()
    for i, (hint, value) in enumerate(args):
        if hint != "kind":
            continue
        head, slash, name = value.partition("/")
        if not slash:
            name = args[i + 1][1] if i + 1 < len(args) and args[i + 1][0] == "name" else ""
        info = kinds.try_resolve(head)
        return (info.kind, name) if info and name else None
    return None

