"""kubectl inside the shell: the subcommand table and what the subcommands share."""

from __future__ import annotations

import os
from datetime import datetime
from typing import List, Optional, Sequence, Tuple

from k8slab.api import kinds
from k8slab.api.codec import to_dict
from k8slab.api.meta import utc_now
from k8slab.errors import UserError
from k8slab.runtime.catalogue import plan_container
from k8slab.shell import helptext
from k8slab.shell.registry import Flag, Registry
from k8slab.shell.results import Result
from k8slab.shell.suggestions import unknown_subcommand

KUBECTL = Registry()

NAMESPACE = Flag(("-n", "--namespace"), "the namespace for this request", value="NS")
OUTPUT = Flag(("-o", "--output"), "output format: wide|yaml|json|name|jsonpath=...", value="FORMAT",
              choices=("wide", "yaml", "json", "name", "jsonpath="))
SELECTOR = Flag(("-l", "--selector"), "label selector, e.g. app=web,tier!=db", value="SEL")
FILENAME = Flag(("-f", "--filename"), "a manifest file, a directory of them, or - for standard input",
                value="FILE", repeat=True)
ALL_NAMESPACES = Flag(("-A", "--all-namespaces"), "list across all namespaces")


def run_kubectl(session, words: Sequence[str], stdin: Optional[str]) -> Result:
    """Dispatch `kubectl SUBCOMMAND ...`."""
    if not words or words[0] in helptext.HELP_FLAGS:
        return Result().say(helptext.kubectl_help(session.registry.find("kubectl"), KUBECTL.unique()))
    if words[0] == "help":  # kubectl help get
        return session.registry.find("help").handler(session, ["kubectl", *words[1:]], stdin)
    command = KUBECTL.find(words[0])
    if command is None:
        raise UserError(unknown_subcommand(words[0], "kubectl", [c.name for c in KUBECTL.unique()]))
    if helptext.wants_help(words[1:]):
        return Result().say(helptext.command_help(command))
    args = command.parse(words[1:])
    return command.handler(session, args, stdin)


def namespace_of(session, args) -> str:
    """The namespace a request uses: -n, else the session's."""
    return getattr(args, "namespace", None) or session.namespace


def now() -> datetime:
    """The time views are rendered at."""
    return utc_now()


def split_targets(words: List[str]) -> List[Tuple[kinds.KindInfo, Optional[str]]]:
    """kubectl's resource arguments: `KIND [NAME...]`, `KIND1,KIND2`, or `KIND/NAME ...`."""
    if not words:
        raise UserError("error: you must specify the type of resource to get. Use \"kubectl api-resources\" "
                        "for a complete list of supported resources.")
    if any("/" in w for w in words):
        if not all("/" in w for w in words):
            raise UserError("error: there is no need to specify a resource type as a separate argument when "
                            "passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' "
                            "instead of 'kubectl get resource resource/<resource_name>'")
        out = []
        for w in words:
            kind, _, name = w.partition("/")
            out.append((kinds.resolve(kind), name))
        return out
    infos = [kinds.resolve(k) for k in words[0].split(",") if k] or [kinds.resolve(words[0])]  # '' or ','
    names = words[1:]
    if names and len(infos) > 1:
        raise UserError("error: arguments in resource/name form must have a single resource and name")
    if not names:
        return [(i, None) for i in infos]
    return [(infos[0], n) for n in names]


def dicts(objs) -> list:
    """Objects in their JSON form, as views take them."""
    return [to_dict(o) for o in objs]


def read_manifest_sources(paths: Sequence[str], stdin: Optional[str], recursive: bool = False) -> List[Tuple[str, str]]:
    """(source name, text) for each `-f` argument: a file, a directory's manifests, or `-`."""
    out: List[Tuple[str, str]] = []
    for path in paths:
        if path == "-":
            if stdin is None:
                raise UserError("error: no objects passed to apply: `-f -` reads standard input; in the "
                                "shell, give it as a heredoc: kubectl apply -f - <<EOF ... EOF")
            out.append(("STDIN", stdin))
            continue
        if path.startswith(("http://", "https://")):
            raise UserError(f"error: the path \"{path}\" is a URL: k8slab never reaches outside its sandbox; "
                            "save the manifest to a file and apply that")
        if os.path.isdir(path):
            files = []
            for root, dirs, names in os.walk(path):
                files += [os.path.join(root, n) for n in names if n.endswith((".yaml", ".yml", ".json"))]
                if not recursive:
                    break
            for f in sorted(files):
                out.append((f, _read(f)))
            continue
        if not os.path.exists(path):
            raise UserError(f'error: the path "{path}" does not exist')
        out.append((path, _read(path)))
    return out


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise UserError(f"error: cannot read {path}: {e.strerror}")
    except UnicodeDecodeError:
        raise UserError(f"error: {path} is not a text file")


def kind_label(info: kinds.KindInfo) -> str:
    """How kubectl names a kind in `<kind>/<name> created` lines: `pod`, `deployment.apps`."""
    return f"{info.kind.lower()}.{info.group}" if info.group else info.kind.lower()


def stand_in_notices(obj) -> list:
    """Lines telling the learner where k8slab stands in for something (an image, a cloud load balancer)."""
    spec = getattr(obj, "spec", None)
    notes = []
    if getattr(obj, "kind", "") == "Service" and spec.type == "LoadBalancer":
        from k8slab.net.addresses import LB_POOL

        notes.append(f"note: k8slab plays the cloud load balancer the way MetalLB's layer-2 mode does: an IP "
                     f"from {LB_POOL[0]}-{LB_POOL[1]}, answered for by one node")
    for c in getattr(spec, "containers", ()) or ():
        plan = plan_container(c.image or "", c.command, c.args, [(p.container_port, p.protocol or "TCP") for p in c.ports])
        if plan.notice:
            notes.append(f"note: {plan.notice}")
    return notes


# The subcommand modules register themselves in KUBECTL; they import the names above, so load them last.
from k8slab.shell.kubectl import get, run, pods, services, manifests, edit, patch, workloads, config  # noqa: E402,F401
