"""kubectl exec, logs, label and wait."""

from __future__ import annotations

import os
import re
import time
from dataclasses import replace
from typing import Iterator

from k8slab.api import kinds
from k8slab.api.codec import to_dict
from k8slab.api.errors import ApiError
from k8slab.api.pod import Pod, pod_condition
from k8slab.api.meta import pod_is_ready
from k8slab.api.selectors import Selector, parse_selector
from k8slab.errors import UserError
from k8slab.runtime import processes
from k8slab.shell.commands import attach_terminal, stream_process
from k8slab.shell.kubectl import (KUBECTL, NAMESPACE, SELECTOR, kind_label, namespace_of,
                                  split_targets)
from k8slab.shell.registry import Command, Flag
from k8slab.shell.results import Result
from k8slab.views import output


# -- exec ------------------------------------------------------------------------------------------

def _pod_and_container(session, args, pod_name: str):
    store = session.cluster.store
    pod = store.get("Pod", pod_name, namespace_of(session, args))
    names = [c.name for c in pod.spec.containers]
    container = args.container or names[0]
    if container not in names + [c.name for c in pod.spec.init_containers]:
        raise UserError(f"error: container {container} is not valid for pod {pod_name}")
    return pod, container


OWNERS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Service")


def pod_for(session, namespace: str, word: str):
    """kubectl's POD or TYPE/NAME: a pod's name, and how many pods the TYPE/NAME had to choose from.

    For a workload or a Service, kubectl takes one of its pods: a running, ready one first.
    """
    kind, _, name = word.rpartition("/")
    if not kind:
        return word, 1
    info = kinds.resolve(kind)
    if info.kind == "Pod":
        return name, 1
    if info.kind not in OWNERS:
        raise UserError(f"error: cannot attach to {info.kind.lower()}/{name}: not implemented")
    obj = session.cluster.store.get(info.kind, name, namespace)
    labels = obj.spec.selector if info.kind == "Service" else (obj.spec.selector.match_labels if obj.spec.selector else None)
    if not labels:
        raise UserError(f"error: {word} has no selector, so it has no pods")
    pods = session.cluster.store.list("Pod", namespace, Selector.from_match_labels(labels))
    if not pods:
        raise UserError(f"error: no pods found for {word}")
    pods.sort(key=lambda p: (not pod_is_ready(p), p.status.phase != "Running", p.metadata.name))
    return pods[0].metadata.name, len(pods)


def _exec(session, args, stdin) -> Result:
    if not args.args:
        raise UserError("error: pod, type/name or --filename must be specified")
    if not args.command_words:
        raise UserError("error: you must specify at least one command for the container")
    target, found = pod_for(session, namespace_of(session, args), args.args[0])
    pod, container = _pod_and_container(session, args, target)
    if pod.status.phase in ("Succeeded", "Failed"):
        raise UserError(f"error: cannot exec into a container in a completed pod; current phase is {pod.status.phase}")
    kubelet = session.cluster.kubelet_for(pod)
    pid = kubelet.exec_target((pod.metadata.namespace, pod.metadata.name)) if kubelet else None
    status = next((s for s in pod.status.container_statuses if s.name == container), None)
    if pid is None or status is None or status.state.running is None:
        raise UserError(f'error: unable to upgrade connection: container not found ("{container}")')
    env = kubelet.exec_env((pod.metadata.namespace, pod.metadata.name), container) or {"PATH": processes.DEFAULT_PATH}
    if processes.find_executable(args.command_words[0], env.get("PATH", processes.DEFAULT_PATH)) is None:
        return Result().fail(f'error: Internal error occurred: Internal error occurred: error executing command in '
                             f'container: failed to exec in container: failed to start exec: OCI runtime exec '
                             f'failed: exec failed: unable to start container process: exec: "{args.command_words[0]}": '
                             f'executable file not found in $PATH: unknown', 1)
    result = Result()
    if args.tty and args.stdin and stdin is None and session.can_attach():
        argv = processes.nsenter_argv(pid) + list(args.command_words)
        env = {**env, "TERM": os.environ.get("TERM", "xterm")}
        env.setdefault("PS1", f"root@{pod.metadata.name}:$PWD# ")
        result.attach = lambda: attach_terminal(argv, env, failure=EXIT_FAILURE)
        return result
    if args.tty and args.stdin:  # kubectl's words when its input is not a terminal
        result.warn("Unable to use a TTY - input is not a terminal or the right kind of file")
    popen = processes.popen_in(pid, args.command_words, env=env, stdin_data=stdin if args.stdin or stdin else None)
    streamed = stream_process(popen, failure=EXIT_FAILURE)
    streamed.lines[:0] = result.lines
    return streamed


EXIT_FAILURE = "command terminated with exit code {code}"


# -- logs ------------------------------------------------------------------------------------------

def _logs(session, args, stdin) -> Result:
    if args.selector:
        return _logs_by_selector(session, args)
    if not args.args:
        raise UserError("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
                        "POD or TYPE/NAME is a required argument for the logs command")
    name, found = pod_for(session, namespace_of(session, args), args.args[0])
    pod, container = _pod_and_container(session, args, name)
    result = Result()
    if found > 1:
        result.warn(f"Found {found} pods, using pod/{name}")
    if not args.container and len(pod.spec.containers) > 1:
        result.warn(f'Defaulted container "{container}" out of: {", ".join(c.name for c in pod.spec.containers)}')
    key = (pod.metadata.namespace, pod.metadata.name)
    kubelet = session.cluster.kubelet_for(pod)
    path = kubelet.log_path(key, container, previous=args.previous) if kubelet else None
    if path is None:
        if args.previous:
            return result.fail(f'Error from server (BadRequest): previous terminated container "{container}" '
                               f'in pod "{pod.metadata.name}" not found')
        return result.fail(f'Error from server (BadRequest): container "{container}" in pod "{pod.metadata.name}" '
                           f'is waiting to start: ContainerCreating')
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode(errors="replace")
    if args.tail is not None and int(args.tail) >= 0:
        lines = text.splitlines(keepends=True)
        text = "".join(lines[-int(args.tail):]) if int(args.tail) else ""
    if not args.follow:
        if text:
            result.say(text.rstrip("\n"))
        return result
    result.stream = _follow(session, key, container, path, len(data), text)
    return result


def _logs_by_selector(session, args) -> Result:
    """`kubectl logs -l SEL`: the last lines (10 by default, as kubectl) of every matching pod's container."""
    if args.follow:
        raise UserError("error: k8slab follows one pod at a time: kubectl logs -f POD")
    pods = session.cluster.store.list("Pod", namespace_of(session, args), parse_selector(args.selector))
    result = Result()
    if not pods:
        return result.warn(f"No resources found in {namespace_of(session, args)} namespace.")
    tail = int(args.tail) if args.tail is not None else 10
    for pod in pods:
        container = args.container or pod.spec.containers[0].name
        kubelet = session.cluster.kubelet_for(pod)
        path = kubelet.log_path((pod.metadata.namespace, pod.metadata.name), container, args.previous) if kubelet else None
        if path is None:
            continue
        with open(path, "rb") as f:
            lines = f.read().decode(errors="replace").splitlines()
        shown = lines[-tail:] if tail >= 0 else lines
        if shown:
            result.say("\n".join(shown))
    return result


def _follow(session, key, container, path, offset: int, first: str) -> Iterator:
    """Yield what a log file gains until the container's process ends."""
    if first:
        yield "out", first
    with open(path, "rb") as f:
        f.seek(offset)
        while True:
            data = f.read()
            if data:
                yield "out", data.decode(errors="replace")
                continue
            pod = session.cluster.store.try_get("Pod", key[1], key[0])
            status = next((s for s in (pod.status.container_statuses if pod else ()) if s.name == container), None)
            if status is None or status.state.running is None:
                rest = f.read()
                if rest:
                    yield "out", rest.decode(errors="replace")
                return
            time.sleep(0.1)


# -- label -----------------------------------------------------------------------------------------

def _label(session, args, _stdin) -> Result:
    words = list(args.args)
    changes = [w for w in words if "=" in w or w.endswith("-")]
    resources = [w for w in words if w not in changes]
    if not changes:
        raise UserError("error: at least one label update is required")
    store = session.cluster.store
    ns = namespace_of(session, args)
    result = Result()
    if args.selector or args.all:
        selector = parse_selector(args.selector) if args.selector else None
        info = kinds.resolve(resources[0])
        targets = [(info, o.metadata.name) for o in store.list(info.kind, ns if info.namespaced else None, selector)]
    else:
        targets = split_targets(resources)
    for info, name in targets:
        obj = store.get(info.kind, name, ns if info.namespaced else None)
        labels = dict(obj.metadata.labels)
        for change in changes:
            if change.endswith("-") and "=" not in change:
                labels.pop(change[:-1], None)
                continue
            k, v = change.split("=", 1)
            if k in labels and labels[k] != v and not args.overwrite:
                raise UserError(f"error: '{k}' already has a value ({labels[k]}), and --overwrite is false")
            labels[k] = v
        if labels == obj.metadata.labels:
            result.say(f"{kind_label(info)}/{name} not labeled")
            continue
        try:
            store.update(replace(obj, metadata=replace(obj.metadata, labels=labels)))
        except ApiError as e:
            result.fail(str(e))
            continue
        result.say(f"{kind_label(info)}/{name} labeled" if any("=" in c for c in changes) else f"{kind_label(info)}/{name} unlabeled")
    return result


# -- wait ------------------------------------------------------------------------------------------

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$")


def parse_duration(text: str) -> float:
    """Go-style durations as kubectl takes them: 30s, 1m30s, 2m, 500ms (a bare number means seconds)."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    m = _DURATION.match(text)
    if not text or not m or not any(m.groups()):
        raise UserError(f'error: invalid argument "{text}" for "--timeout" flag: time: invalid duration "{text}"')
    h, mins, s, ms = m.groups()
    return int(h or 0) * 3600 + int(mins or 0) * 60 + float(s or 0) + int(ms or 0) / 1000


def _wait(session, args, _stdin) -> Result:
    if not args.for_:
        raise UserError("error: --for must be specified (e.g. --for=condition=Ready or --for=delete)")
    timeout = parse_duration(args.timeout or "30s")
    store = session.cluster.store
    ns = namespace_of(session, args)
    cond = args.for_
    if args.selector or args.all:
        info = kinds.resolve(args.args[0] if args.args else "pods")
        selector = parse_selector(args.selector) if args.selector else None
        targets = [(info, o.metadata.name) for o in store.list(info.kind, ns, selector)]
        if not targets:
            return Result().fail("error: no matching resources found")
    else:
        targets = split_targets(args.args)
    result = Result()
    deadline = time.monotonic() + timeout
    for info, name in targets:
        if cond not in ("delete", "create") and store.try_get(info.kind, name, ns if info.namespaced else None) is None:
            # kubectl looks the object up first: a name that does not exist is an error at once
            return result.fail(f'Error from server (NotFound): {info.resource} "{name}" not found')
        if not _wait_one(store, info, name, ns if info.namespaced else None, cond, deadline):
            obj = store.try_get(info.kind, name, ns if info.namespaced else None)
            if obj is None and cond not in ("delete", "create"):
                return result.fail(f'Error from server (NotFound): {info.resource} "{name}" not found')
            return result.fail(f"error: timed out waiting for the condition on {info.plural}/{name}")
        result.say(f"{kind_label(info)}/{name} condition met")
    return result


def _satisfied(obj, cond: str) -> bool:
    if cond == "delete":
        return obj is None
    if cond == "create":  # kubectl 1.31+: wait for the object to exist
        return obj is not None
    if obj is None:
        return False
    m = re.fullmatch(r"condition=([^=]+)(?:=(.+))?", cond)
    if m:
        want = m.group(2) or "True"
        c = pod_condition(obj, m.group(1)) if isinstance(obj, Pod) else next(
            (c for c in getattr(obj.status, "conditions", ()) if c.type.lower() == m.group(1).lower()), None)
        return c is not None and c.status.lower() == want.lower()
    m = re.fullmatch(r"jsonpath=(.+?)(?:=(.*))?", cond)
    if m:
        expr = m.group(1)
        if not expr.startswith("{"):
            expr = "{" + expr + "}"
        got = output.render_output([to_dict(obj)], f"jsonpath={expr}", single=True).strip()
        return got == m.group(2) if m.group(2) is not None else bool(got)
    raise UserError(f"error: unrecognized condition: \"{cond}\"")


def _wait_one(store, info, name, ns, cond: str, deadline: float) -> bool:
    while True:
        if _satisfied(store.try_get(info.kind, name, ns), cond):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


KUBECTL.add(Command(
    "exec", "run a command in a container", "kubectl exec POD [-c CONTAINER] [-it] -- COMMAND [ARG...]", _exec,
    flags=(Flag(("-c", "--container"), "the container (default: the first)", value="NAME"),
           Flag(("-i", "--stdin"), "pass standard input to the command"),
           Flag(("-t", "--tty"), "give the command a terminal (with -i, at an interactive shell)"), NAMESPACE),
    positional=("pod",),
    examples=("kubectl exec web -- curl -s localhost", "kubectl exec -it web -- sh")))

KUBECTL.add(Command(
    "logs", "print a container's output", "kubectl logs POD [-c CONTAINER] [-f] [-p] [--tail=N]", _logs,
    flags=(Flag(("-c", "--container"), "the container (default: the first)", value="NAME"),
           Flag(("-f", "--follow"), "keep printing new output until the container stops (Ctrl-C to stop)"),
           Flag(("-p", "--previous"), "the previous run of a restarted container"),
           Flag(("--tail",), "only the last N lines", value="N"), SELECTOR, NAMESPACE),
    positional=("pod",), examples=("kubectl logs web", "kubectl logs -f web",
                                   "kubectl logs -n kube-system -l k8s-app=kube-dns")))

KUBECTL.add(Command(
    "label", "add, change or remove labels", "kubectl label KIND NAME KEY=VALUE... KEY-... [--overwrite]", _label,
    flags=(Flag(("--overwrite",), "allow changing an existing label's value"), SELECTOR,
           Flag(("--all",), "every resource of the kind in the namespace"), NAMESPACE),
    positional=("kind", "name"), examples=("kubectl label pod web tier=frontend", "kubectl label pod web tier-")))

KUBECTL.add(Command(
    "wait", "wait for a condition on resources", "kubectl wait --for=condition=Ready pod/NAME [--timeout=30s]", _wait,
    flags=(Flag(("--for",), "condition=COND[=VALUE], create, delete, or jsonpath={...}=VALUE", value="CONDITION"),
           Flag(("--timeout",), "give up after this long (default 30s)", value="DURATION"),
           SELECTOR, Flag(("--all",), "every resource of the kind in the namespace"), NAMESPACE),
    positional=("kind", "name"),
    examples=("kubectl wait --for=condition=Ready pod/web", "kubectl wait --for=condition=Ready pod -l app=web")))
