"""kubectl create deployment, scale, rollout (status/history/undo/restart) and set image."""

from __future__ import annotations

import time
from dataclasses import replace
from types import SimpleNamespace
from typing import Iterator, List, Optional, Tuple

from k8slab.api import kinds
from k8slab.api.apps import Deployment
from k8slab.api.codec import from_dict
from k8slab.api.meta import format_timestamp, utc_now
from k8slab.controllers.workloads.common import is_controlled_by
from k8slab.controllers.workloads.deployments import CHANGE_CAUSE, HASH_LABEL, revision_of, strip_hash
from k8slab.errors import UserError
from k8slab.shell.kubectl import KUBECTL, NAMESPACE, OUTPUT, stand_in_notices, kind_label, namespace_of
from k8slab.shell.kubectl.pods import parse_duration
from k8slab.shell.registry import Command, Flag
from k8slab.shell.results import Result
from k8slab.views import output

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet")
ROLLABLE = ("Deployment", "StatefulSet", "DaemonSet")

# Flags `kubectl create deployment` adds to `kubectl create` (manifests.py declares the command).
CREATE_DEPLOYMENT_FLAGS = (
    Flag(("--image",), "the image of a container (repeat for several containers)", value="IMAGE", repeat=True),
    Flag(("--replicas",), "how many pods (default 1)", value="N"),
    Flag(("--port",), "the port the container exposes", value="PORT"),
    Flag(("--dry-run",), "client: print the object instead of creating it", value="MODE"),
    OUTPUT,
)


def _target(words: List[str], allowed: Tuple[str, ...], verb: str) -> Tuple[kinds.KindInfo, str]:
    """`KIND NAME` or `KIND/NAME`, for one of the allowed kinds."""
    if not words:
        raise UserError("error: required resource not specified")
    if "/" in words[0]:
        kind, _, name = words[0].partition("/")
    elif len(words) >= 2:
        kind, name = words[0], words[1]
    else:
        raise UserError(f"error: you must provide a resource name, e.g. `kubectl {verb} deployment/web`")
    info = kinds.resolve(kind)
    if info.kind not in allowed:
        raise UserError(f'error: no {verb} for {info.kind.lower()}: k8slab supports '
                        f'{", ".join(a.lower() for a in allowed)}')
    return info, name


def container_name(image: str) -> str:
    """kubectl create deployment's container name: the image's last path part, without tag or digest."""
    name = image.split("/")[-1].split("@")[0].split(":")[0]
    return name.replace("_", "-")


def deployment_manifest(name: str, images: List[str], replicas: int, port: Optional[str],
                        command: Optional[List[str]] = None) -> dict:
    """The Deployment `kubectl create deployment` builds (labels app: NAME; `-- COMMAND` sets the command)."""
    containers, seen = [], set()
    for image in images:
        cname = container_name(image)
        base, n = cname, 1
        while cname in seen:  # sanitizeAndUniquify
            cname, n = f"{base}-{n}", n + 1
        seen.add(cname)
        containers.append({"image": image, "name": cname, "resources": {}})
    if port:
        if len(containers) > 1:
            raise UserError("error: cannot specify port with multiple images")
        containers[0]["ports"] = [{"containerPort": int(port)}]
    if command:
        if len(containers) > 1:
            raise UserError("error: cannot specify multiple --image options and command")
        containers[0]["command"] = list(command)
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"labels": labels, "name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "strategy": {},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}}},
            "status": {}}


def create_deployment(session, args) -> Result:
    """`kubectl create deployment NAME --image=IMAGE [--replicas=N] [--port=P] [-- COMMAND...]` (from `create`)."""
    if len(args.args) != 2:
        raise UserError("error: exactly one NAME is required, got " + str(max(len(args.args) - 1, 0)))
    if not args.image:
        raise UserError('error: required flag(s) "image" not set')
    replicas = int(args.replicas) if args.replicas is not None else 1
    manifest = deployment_manifest(args.args[1], args.image, replicas, args.port, args.command_words)
    if args.dry_run in ("client", "server"):
        return Result().say(output.render_output([manifest], args.output or "yaml", single=True).rstrip("\n"))
    created = session.cluster.store.create(from_dict(Deployment, manifest), namespace=namespace_of(session, args))
    result = Result().say(f"deployment.apps/{created.metadata.name} created")
    for note in stand_in_notices(created.spec.template):
        result.warn(note)
    return result


def expose_source(store, kind: str, name: str, namespace: str):
    """For `kubectl expose deployment|rs|sts NAME`: (pod-like object with the selector as labels, labels)."""
    info = kinds.resolve(kind)
    if info.kind not in SCALABLE:
        return None
    obj = store.get(info.kind, name, namespace)
    selector = dict(obj.spec.selector.match_labels) if obj.spec.selector else {}
    if obj.spec.selector is not None and obj.spec.selector.match_expressions:
        raise UserError(f"error: cannot expose a {info.kind} with a `matchExpressions` selector")
    meta = replace(obj.metadata, labels=selector)
    return SimpleNamespace(metadata=meta, spec=obj.spec.template.spec), dict(obj.metadata.labels)


# -- scale ---------------------------------------------------------------------------------------

def _scale(session, args, _stdin) -> Result:
    if args.replicas is None:
        raise UserError('error: required flag(s) "replicas" not set')
    try:
        replicas = int(args.replicas)
    except ValueError:
        raise UserError(f'error: invalid argument "{args.replicas}" for "--replicas" flag: strconv.ParseInt: '
                        f'parsing "{args.replicas}": invalid syntax')
    if replicas < 0:
        raise UserError("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    info, name = _target(args.args, SCALABLE, "scale")
    store = session.cluster.store
    obj = store.get(info.kind, name, namespace_of(session, args))
    if args.current_replicas is not None and int(args.current_replicas) != (obj.spec.replicas or 0):
        return Result().fail(f"error: Expected replicas to be {args.current_replicas}, was {obj.spec.replicas}")
    store.update(replace(obj, spec=replace(obj.spec, replicas=replicas)))
    return Result().say(f"{kind_label(info)}/{name} scaled")


# -- set image -----------------------------------------------------------------------------------

def _set(session, args, _stdin) -> Result:
    if not args.args or args.args[0] != "image":
        raise UserError("error: k8slab supports `kubectl set image TYPE/NAME CONTAINER=IMAGE...`")
    words = args.args[1:]
    changes = [w for w in words if "=" in w]
    targets = [w for w in words if "=" not in w]
    if not changes:
        raise UserError("error: at least one image update is required")
    info, name = _target(targets, ROLLABLE + ("ReplicaSet", "Pod"), "set image")
    store = session.cluster.store
    obj = store.get(info.kind, name, namespace_of(session, args))
    pod_spec = obj.spec if info.kind == "Pod" else obj.spec.template.spec
    wanted = dict(c.split("=", 1) for c in changes)
    containers = list(pod_spec.containers)
    inits = list(pod_spec.init_containers)
    for cname, image in wanted.items():
        hit = False
        for group in (containers, inits):
            for i, c in enumerate(group):
                if cname in ("*", c.name):
                    group[i] = replace(c, image=image)
                    hit = True
        if not hit:
            return Result().fail(f'error: unable to find container named "{cname}"')
    new_spec = replace(pod_spec, containers=tuple(containers), init_containers=tuple(inits))
    if info.kind == "Pod":
        store.update(replace(obj, spec=new_spec))
    else:
        store.update(replace(obj, spec=replace(obj.spec, template=replace(obj.spec.template, spec=new_spec))))
    return Result().say(f"{kind_label(info)}/{name} image updated")


# -- rollout -------------------------------------------------------------------------------------

def deployment_rollout_message(d) -> Tuple[str, bool]:
    """kubectl's DeploymentStatusViewer: (message, done)."""
    name, s = d.metadata.name, d.status
    want = 1 if d.spec.replicas is None else d.spec.replicas
    if (d.metadata.generation or 0) > (s.observed_generation or 0):
        return "Waiting for deployment spec update to be observed...", False
    progressing = next((c for c in s.conditions if c.get("type") == "Progressing"), None)
    if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
        raise UserError(f'error: deployment "{name}" exceeded its progress deadline')
    updated, replicas, available = s.updated_replicas or 0, s.replicas or 0, s.available_replicas or 0
    if updated < want:
        return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of {want} new replicas have '
                f'been updated...'), False
    if replicas > updated:
        return (f'Waiting for deployment "{name}" rollout to finish: {replicas - updated} old replicas are '
                f'pending termination...'), False
    if available < updated:
        return (f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} updated replicas '
                f'are available...'), False
    return f'deployment "{name}" successfully rolled out', True


def daemon_set_rollout_message(ds) -> Tuple[str, bool]:
    """kubectl's DaemonSetStatusViewer."""
    name, s = ds.metadata.name, ds.status
    if ds.spec.update_strategy is not None and ds.spec.update_strategy.type == "OnDelete":
        raise UserError("error: rollout status is only available for RollingUpdate strategy type")
    if (ds.metadata.generation or 0) > (s.observed_generation or 0):
        return "Waiting for daemon set spec update to be observed...", False
    if (s.updated_number_scheduled or 0) < s.desired_number_scheduled:
        return (f'Waiting for daemon set "{name}" rollout to finish: {s.updated_number_scheduled or 0} out of '
                f'{s.desired_number_scheduled} new pods have been updated...'), False
    if (s.number_available or 0) < s.desired_number_scheduled:
        return (f'Waiting for daemon set "{name}" rollout to finish: {s.number_available or 0} of '
                f'{s.desired_number_scheduled} updated pods are available...'), False
    return f'daemon set "{name}" successfully rolled out', True


def stateful_set_rollout_message(sts) -> Tuple[str, bool]:
    """kubectl's StatefulSetStatusViewer."""
    s = sts.status
    if sts.spec.update_strategy is not None and sts.spec.update_strategy.type == "OnDelete":
        raise UserError("error: rollout status is only available for RollingUpdate strategy type")
    if not s.observed_generation or (sts.metadata.generation or 0) > s.observed_generation:
        return "Waiting for statefulset spec update to be observed...", False
    want = 1 if sts.spec.replicas is None else sts.spec.replicas
    if (s.ready_replicas or 0) < want:
        return f"Waiting for {want - (s.ready_replicas or 0)} pods to be ready...", False
    if s.update_revision != s.current_revision:
        return (f"waiting for statefulset rolling update to complete {s.updated_replicas or 0} pods at revision "
                f"{s.update_revision}..."), False
    return (f"statefulset rolling update complete {s.current_replicas or 0} pods at revision "
            f"{s.current_revision}..."), True


_VIEWERS = {"Deployment": deployment_rollout_message, "DaemonSet": daemon_set_rollout_message,
            "StatefulSet": stateful_set_rollout_message}


def _rollout_status(session, args, info, name, ns) -> Result:
    store = session.cluster.store
    store.get(info.kind, name, ns)  # NotFound now rather than inside the stream
    timeout = parse_duration(args.timeout) if args.timeout else 0.0
    watch = args.watch != "false"
    result = Result()

    def chunks() -> Iterator[Tuple[str, str]]:
        deadline = time.monotonic() + timeout if timeout > 0 else None
        last = None
        while True:
            obj = store.try_get(info.kind, name, ns)
            if obj is None:
                result.exit_code = 1
                yield "err", f'error: {info.kind.lower()}s "{name}" not found\n'
                return
            try:
                message, done = _VIEWERS[info.kind](obj)
            except UserError as e:
                result.exit_code = 1
                yield "err", str(e) + "\n"
                return
            if message != last:
                yield "out", message + "\n"
                last = message
            if done or not watch:
                return
            if deadline is not None and time.monotonic() >= deadline:
                result.exit_code = 1
                yield "err", "error: timed out waiting for the condition\n"
                return
            time.sleep(0.1)

    result.stream = chunks()
    return result


def _owned_replica_sets(store, d) -> list:
    return sorted((rs for rs in store.list("ReplicaSet", d.metadata.namespace) if is_controlled_by(rs, d)),
                  key=revision_of)


def _rollout_history(session, args, info, name, ns) -> Result:
    if info.kind != "Deployment":
        raise UserError("error: k8slab keeps rollout history for deployments only")
    store = session.cluster.store
    d = store.get("Deployment", name, ns)
    rses = _owned_replica_sets(store, d)
    if args.revision:
        rs = next((r for r in rses if revision_of(r) == int(args.revision)), None)
        if rs is None:
            return Result().fail("error: unable to find the specified revision")
        return Result().say(f"{kind_label(info)}/{name} with revision #{args.revision}\n"
                            + output.render_output([_template_dict(rs)], "yaml", single=True).rstrip("\n"))
    lines = [f"{kind_label(info)}/{name} ", "REVISION  CHANGE-CAUSE"]
    for rs in rses:
        if revision_of(rs) > 0:
            lines.append(f"{revision_of(rs):<8}  {rs.metadata.annotations.get(CHANGE_CAUSE, '<none>')}")
    return Result().say("\n".join(lines) + "\n")


def _template_dict(rs) -> dict:
    from k8slab.api.codec import to_dict

    return {"Pod Template": to_dict(rs.spec.template)}


def _rollout_undo(session, args, info, name, ns) -> Result:
    if info.kind != "Deployment":
        raise UserError("error: k8slab undoes rollouts of deployments only")
    store = session.cluster.store
    d = store.get("Deployment", name, ns)
    rses = [rs for rs in _owned_replica_sets(store, d) if revision_of(rs) > 0]
    to = int(args.to_revision or 0)
    if to < 0:
        raise UserError("error: revision must be a positive integer")
    if to:
        target = next((rs for rs in rses if revision_of(rs) == to), None)
        if target is None:
            return Result().fail(f"error: unable to find specified revision {to} in history")
    else:
        if len(rses) < 2:
            return Result().fail(f'error: no rollout history found for deployment "{name}"')
        target = rses[-2]
    template = strip_hash(target.spec.template)
    if template == strip_hash(d.spec.template):
        return Result().say(f"{kind_label(info)}/{name} skipped rollback (current template already matches "
                            f"revision {revision_of(target)})")
    labels = {k: v for k, v in template.metadata.labels.items() if k != HASH_LABEL}
    template = replace(template, metadata=replace(template.metadata, labels=labels))
    store.update(replace(d, spec=replace(d.spec, template=template)))
    return Result().say(f"{kind_label(info)}/{name} rolled back")


def _rollout_restart(session, args, info, name, ns) -> Result:
    store = session.cluster.store
    obj = store.get(info.kind, name, ns)
    if getattr(obj.spec, "paused", None):
        return Result().fail(f"error: {kind_label(info)}/{name} can't restart paused deployment (run rollout "
                             "resume first)")
    tmeta = obj.spec.template.metadata
    annotations = {**tmeta.annotations, RESTARTED_AT: format_timestamp(utc_now())}
    template = replace(obj.spec.template, metadata=replace(tmeta, annotations=annotations))
    store.update(replace(obj, spec=replace(obj.spec, template=template)))
    return Result().say(f"{kind_label(info)}/{name} restarted")


_ROLLOUT = {"status": _rollout_status, "history": _rollout_history, "undo": _rollout_undo,
            "restart": _rollout_restart}


def _rollout(session, args, _stdin) -> Result:
    if not args.args or args.args[0] not in _ROLLOUT:
        raise UserError("error: expected one of: kubectl rollout status|history|undo|restart TYPE/NAME")
    info, name = _target(args.args[1:], ROLLABLE, "rollout")
    return _ROLLOUT[args.args[0]](session, args, info, name, namespace_of(session, args))


KUBECTL.add(Command(
    "scale", "set the number of replicas of a deployment, replica set or stateful set",
    "kubectl scale deployment|rs|sts NAME --replicas=N", _scale,
    flags=(Flag(("--replicas",), "the new number of replicas", value="N"),
           Flag(("--current-replicas",), "only scale if the current replicas are this many", value="N"), NAMESPACE),
    positional=("kind", "name"),
    examples=("kubectl scale deployment web --replicas=3", "kubectl scale sts/stateful-app --replicas=1")))

KUBECTL.add(Command(
    "rollout", "watch, list, undo or restart the rollouts of a deployment (status also for sts/ds)",
    "kubectl rollout status|history|undo|restart deployment/NAME", _rollout,
    flags=(Flag(("--timeout",), "status: give up after this long (default: wait forever)", value="DURATION"),
           Flag(("-w", "--watch"), "status: keep watching until the rollout ends (default true)", value="BOOL",
                default="true"),
           Flag(("--to-revision",), "undo: the revision to go back to (default: the previous one)", value="N"),
           Flag(("--revision",), "history: show one revision's pod template", value="N"), NAMESPACE),
    positional=("rollout-what", "kind"),
    examples=("kubectl rollout status deployment/web", "kubectl rollout history deployment/web",
              "kubectl rollout undo deployment/web --to-revision=1", "kubectl rollout restart deployment/web")))

KUBECTL.add(Command(
    "set", "change a workload's container images", "kubectl set image TYPE/NAME CONTAINER=IMAGE...", _set,
    flags=(NAMESPACE,), positional=("set-what", "kind"),
    examples=("kubectl set image deployment/web nginx=nginx:1.27",)))
