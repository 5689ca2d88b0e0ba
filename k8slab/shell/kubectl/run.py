"""kubectl run (with -i, -t and --rm) and kubectl attach.

`kubectl run -it --rm box --image=busybox -- sh` creates a pod whose container has a terminal
(`tty: true`), waits for it to run and attaches the learner's terminal to the container's own
terminal; when the shell exits, `--rm` deletes the pod. Without a terminal (a script, a pipe),
kubectl drops the tty and streams the container's output instead, and so does k8slab.
"""

from __future__ import annotations

import time
from typing import Iterator, Optional

from k8slab.api.codec import from_dict
from k8slab.api.errors import ApiError
from k8slab.api.pod import Pod
from k8slab.errors import UserError
from k8slab.shell.kubectl import KUBECTL, NAMESPACE, OUTPUT, namespace_of, stand_in_notices
from k8slab.shell.registry import Command, Flag
from k8slab.shell.results import Result
from k8slab.views import output

RUNNING_TIMEOUT = 60.0  # kubectl's --pod-running-timeout default (1m)
PRESS_ENTER = "If you don't see a command prompt, try pressing enter."
NO_TTY = "Unable to use a TTY - input is not a terminal or the right kind of file"


def _run(session, args, stdin) -> Result:
    if len(args.args) != 1:
        raise UserError("error: NAME is required for run" if not args.args else
                        f"error: unexpected arguments: {args.args[1:]}; put the container's arguments after --")
    if not args.image:
        raise UserError("error: required flag(s) \"image\" not set")
    if args.tty and not args.stdin:
        raise UserError("error: -i/--stdin is required for containers with -t/--tty=true")
    if args.rm and not args.stdin:
        raise UserError("error: --rm should only be used for attached containers")
    result = Result()
    tty = bool(args.tty)
    if tty and (stdin is not None or not session.can_attach()):
        result.warn(NO_TTY)  # as kubectl: no terminal to lend, so the container gets none either
        tty = False
    manifest = _manifest(args, tty)
    if args.dry_run in ("client", "server"):
        return result.say(output.render_output([manifest], args.output or "yaml", single=True).rstrip("\n"))
    if args.dry_run not in (None, "none"):
        raise UserError(f'error: Invalid dry-run value ({args.dry_run}). Must be "none", "server", or "client".')
    ns = namespace_of(session, args)
    created = session.cluster.store.create(from_dict(Pod, manifest), namespace=ns)
    name = created.metadata.name
    for note in stand_in_notices(created):
        result.warn(note)
    if not args.stdin:
        result.lines.insert(0, ("out", f"pod/{name} created"))
        return result
    _wait_started(session, ns, name)
    if tty:
        result.warn(PRESS_ENTER)
        result.attach = lambda: _finish(session, ns, name, args.rm, _attach_terminal(session, ns, name, name))
        return result
    _feed(session, ns, name, stdin)
    followed = Result(lines=result.lines)
    followed.stream = _stream_then_finish(session, ns, name, args.rm, followed)
    return followed


def _manifest(args, tty: bool) -> dict:
    name = args.args[0]
    labels = dict(kv.split("=", 1) for kv in args.labels.split(",")) if args.labels else {"run": name}
    container = {"name": name, "image": args.image}
    if args.command_words:
        container["command" if args.command else "args"] = list(args.command_words)
    if args.port:
        container["ports"] = [{"containerPort": int(args.port)}]
    if args.env:
        container["env"] = [{"name": e.split("=", 1)[0], "value": e.split("=", 1)[1] if "=" in e else ""}
                            for e in args.env]
    if args.stdin:
        container.update({"stdin": True, "stdinOnce": True})
    if tty:
        container["tty"] = True
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels},
            "spec": {"containers": [container], "restartPolicy": args.restart or "Always",
                     "dnsPolicy": "ClusterFirst"}}


def _status(session, ns: str, name: str, container: str):
    pod = session.cluster.store.try_get("Pod", name, ns)
    statuses = pod.status.container_statuses if pod is not None else ()
    return pod, next((s for s in statuses if s.name == container), None)


def _wait_started(session, ns: str, name: str, container: Optional[str] = None) -> None:
    """Wait until the container runs or has run (kubectl's --pod-running-timeout)."""
    deadline = time.monotonic() + RUNNING_TIMEOUT
    while time.monotonic() < deadline:
        pod, status = _status(session, ns, name, container or name)
        if pod is None:
            raise UserError(f'error: pods "{name}" not found')
        if status is not None and (status.state.running or status.state.terminated):
            return
        time.sleep(0.02)
    raise UserError("error: timed out waiting for the condition")


def _attach_terminal(session, ns: str, name: str, container: str) -> int:
    """Lend the terminal to the container's own terminal until it ends; the container's exit code."""
    from k8slab.shell.terminal import relay

    pod, _ = _status(session, ns, name, container)
    kubelet = session.cluster.kubelet_for(pod) if pod is not None else None
    pty = kubelet.attach_target((ns, name), container) if kubelet else None
    if pty is not None:
        relay(pty, replay=True)
    return _exit_code(session, ns, name, container)


def _exit_code(session, ns: str, name: str, container: str) -> int:
    """The container's exit code once the kubelet has reported it (0 while it still runs)."""
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        pod, status = _status(session, ns, name, container)
        if status is None:
            return 0
        if status.state.terminated is not None:
            return status.state.terminated.exit_code
        if pod.spec.restart_policy == "Always" and status.restart_count:
            return 0
        time.sleep(0.02)
    return 0


def _feed(session, ns: str, name: str, stdin: Optional[str]) -> None:
    """Give a heredoc to the container's standard input (then end it, as stdinOnce does)."""
    if stdin is None:
        return
    pod, _ = _status(session, ns, name, name)
    kubelet = session.cluster.kubelet_for(pod) if pod is not None else None
    if kubelet is not None:
        kubelet.feed_stdin((ns, name), name, stdin)


def _stream_then_finish(session, ns: str, name: str, remove: bool, result: Result) -> Iterator:
    """Stream the container's output until it stops, then clean up as kubectl run does."""
    yield from _follow_run(session, ns, name, name)
    after = _finish(session, ns, name, remove, _exit_code(session, ns, name, name), session_ended=False)
    result.exit_code = after.exit_code
    for kind, text in after.lines:
        yield ("err" if kind == "error" else kind), text + "\n"


def _follow_run(session, ns: str, name: str, container: str) -> Iterator:
    """What the container's current run writes, until that run ends."""
    pod, status = _status(session, ns, name, container)
    kubelet = session.cluster.kubelet_for(pod) if pod is not None else None
    path = kubelet.log_path((ns, name), container) if kubelet else None
    if path is None or status is None:
        return
    restarts = status.restart_count
    with open(path, "rb") as f:
        while True:
            data = f.read()
            if data:
                yield "out", data.decode(errors="replace")
                continue
            _, status = _status(session, ns, name, container)
            if status is None or status.state.running is None or status.restart_count != restarts:
                rest = f.read()
                if rest:
                    yield "out", rest.decode(errors="replace")
                return
            time.sleep(0.05)


def _finish(session, ns: str, name: str, remove: bool, code: int, session_ended: bool = True) -> Result:
    """After an attached run: delete the pod (--rm), or say how to come back to it."""
    result = Result()
    if remove:
        try:
            session.cluster.store.delete("Pod", name, ns)
        except ApiError:  # already gone (deleted from elsewhere): nothing to remove
            pass
        else:
            result.say(f'pod "{name}" deleted')
    elif session_ended:
        pod, status = _status(session, ns, name, name)
        if status is not None and status.state.terminated is None:
            result.say(f"Session ended, resume using 'kubectl attach {name} -c {name} -i -t' command "
                       f"when the pod is running")
    result.exit_code = code
    return result


def _attach(session, args, stdin) -> Result:
    if not args.args:
        raise UserError("error: expected POD, TYPE/NAME, or --filename to be specified")
    name = args.args[0].split("/", 1)[-1]
    ns = namespace_of(session, args)
    pod = session.cluster.store.get("Pod", name, ns)
    container = args.container or pod.spec.containers[0].name
    if container not in [c.name for c in pod.spec.containers]:
        raise UserError(f"error: container {container} not found in pod {name}")
    if pod.status.phase in ("Succeeded", "Failed"):
        raise UserError(f"error: cannot attach a container in a completed pod; current phase is {pod.status.phase}")
    spec = next(c for c in pod.spec.containers if c.name == container)
    result = Result()
    if args.tty and spec.tty and args.stdin and stdin is None and session.can_attach():
        result.warn(PRESS_ENTER)
        result.attach = lambda: _finish(session, ns, name, False, _attach_terminal(session, ns, name, container))
        return result
    if args.tty and args.stdin:
        result.warn(NO_TTY)
    if args.stdin and spec.stdin:
        _feed(session, ns, name, stdin)
    result.stream = _follow_run(session, ns, name, container)
    return result


KUBECTL.add(Command(
    "run", "create a pod running one image", "kubectl run NAME --image=IMAGE [-it] [--rm] [-- ARG...]", _run,
    flags=(Flag(("--image",), "the container image (nginx, busybox, agnhost...)", value="IMAGE"),
           Flag(("--port",), "the port the container exposes", value="PORT"),
           Flag(("-l", "--labels"), "labels instead of run=NAME, e.g. app=web,tier=front", value="LABELS"),
           Flag(("--restart",), "Always (default), OnFailure or Never", value="POLICY",
                choices=("Always", "OnFailure", "Never")),
           Flag(("--env",), "an environment variable K=V (repeatable)", value="K=V", repeat=True),
           Flag(("--command",), "treat the words after -- as the command, not the arguments"),
           Flag(("-i", "--stdin"), "keep the container's input open and attach to it"),
           Flag(("-t", "--tty"), "give the container a terminal (with -i: an interactive shell)"),
           Flag(("--rm",), "delete the pod when the attached session ends"),
           Flag(("--dry-run",), "client: print the pod instead of creating it", value="MODE"),
           OUTPUT, NAMESPACE),
    examples=("kubectl run web --image=nginx", "kubectl run box --image=busybox -- sleep 3600",
              "kubectl run -it --rm box --image=busybox --restart=Never -- sh",
              "kubectl run -i --rm t --image=busybox --restart=Never -- nslookup web",
              "kubectl run web --image=nginx --dry-run=client -o yaml")))

KUBECTL.add(Command(
    "attach", "attach to the terminal of a running container", "kubectl attach POD [-c CONTAINER] [-it]", _attach,
    flags=(Flag(("-c", "--container"), "the container (default: the first)", value="NAME"),
           Flag(("-i", "--stdin"), "pass standard input to the container"),
           Flag(("-t", "--tty"), "the container's terminal is your terminal (with -i)"), NAMESPACE),
    positional=("pod",), examples=("kubectl attach box -it",)))
