"""kubectl apply, create and delete."""

from __future__ import annotations

import time

from k8slab.api import kinds
from k8slab.api.apply import apply_manifest, create_manifest
from k8slab.api.errors import ApiError
from k8slab.api.meta import ObjectMeta
from k8slab.api.namespace import Namespace
from k8slab.api.selectors import parse_selector
from k8slab.api.yamlio import load_manifests
from k8slab.errors import UserError
from k8slab.shell.kubectl import (FILENAME, KUBECTL, NAMESPACE, SELECTOR, stand_in_notices, kind_label,
                                  namespace_of, read_manifest_sources, split_targets)
from k8slab.shell.kubectl.workloads import CREATE_DEPLOYMENT_FLAGS, create_deployment
from k8slab.shell.registry import Command, Flag
from k8slab.shell.results import Result

DELETE_WAIT = 120.0  # seconds `kubectl delete` waits for graceful deletion at most


def _manifests(args, stdin):
    if not args.filename:
        raise UserError("error: must specify one of -f and -k")
    for source, text in read_manifest_sources(args.filename, stdin, getattr(args, "recursive", False)):
        for doc in load_manifests(text, source):
            yield source, doc


def _apply(session, args, stdin, create=False) -> Result:
    result = Result()
    ns = namespace_of(session, args)
    docs = list(_manifests(args, stdin))  # parse every file first: a YAML error applies nothing
    for source, doc in docs:
        verb = "creating" if create else "applying"
        try:
            if create:
                obj, outcome = create_manifest(session.cluster.store, doc, source, ns), "created"
            else:
                outcome, obj = apply_manifest(session.cluster.store, doc, source, ns)
        except ApiError as e:
            result.fail(e.render(context=f'error when {verb} "{source}"'))
            continue
        except UserError as e:
            result.fail(str(e))
            continue
        info = kinds.for_object(obj)
        result.say(f"{kind_label(info)}/{obj.metadata.name} {outcome}")
        if outcome == "created":
            for note in stand_in_notices(obj):
                result.warn(note)
    if not docs:
        result.fail("error: no objects passed to " + ("create" if create else "apply"))
    return result


def _create(session, args, stdin) -> Result:
    if args.args:
        return _create_named(session, args)
    return _apply(session, args, stdin, create=True)


def _create_named(session, args) -> Result:
    what = args.args[0]
    if what in ("namespace", "ns") and len(args.args) == 2:
        ns = session.cluster.store.create(Namespace(metadata=ObjectMeta(name=args.args[1])))
        return Result().say(f"namespace/{ns.metadata.name} created")
    if what in ("deployment", "deploy"):
        return create_deployment(session, args)
    raise UserError(f'error: k8slab cannot `kubectl create {what}` yet: write a manifest and use '
                    f'`kubectl apply -f FILE` (or `kubectl run` for a pod, `kubectl create deployment` for a deployment)')


def _delete(session, args, stdin) -> Result:
    store = session.cluster.store
    ns = namespace_of(session, args)
    grace = args.grace_period
    if args.now:
        grace = "1"
    if args.force and grace is None:
        grace = "0"
    grace_s = int(grace) if grace is not None and int(grace) >= 0 else None
    targets = []
    result = Result()
    if args.filename:
        from k8slab.api.yamlio import decode_manifest

        for source, doc in _manifests(args, stdin):
            obj = decode_manifest(doc, source)
            info = kinds.for_object(obj)
            targets.append((info, obj.metadata.name, (obj.metadata.namespace or ns) if info.namespaced else None))
    elif args.selector or args.all:
        if not args.args:
            raise UserError("error: resource(s) were provided, but no name was specified")
        selector = parse_selector(args.selector) if args.selector else None
        for info, _ in split_targets(args.args[:1]):
            for obj in store.list(info.kind, ns if info.namespaced else None, selector):
                targets.append((info, obj.metadata.name, obj.metadata.namespace))
        if not targets:
            result.warn("No resources found")
    else:
        pairs = split_targets(args.args)
        if any(name is None for _, name in pairs):
            raise UserError("error: resource(s) were provided, but no name was specified")
        targets = [(i, n, ns if i.namespaced else None) for i, n in pairs]
    if args.force and grace_s == 0:
        result.warn("Warning: Immediate deletion does not wait for confirmation that the running resource "
                    "has been terminated. The resource may continue to run on the cluster indefinitely.")
    deleted = []
    for info, name, obj_ns in targets:
        try:
            obj = store.delete(info.kind, name, obj_ns, grace_period_seconds=grace_s)
        except ApiError as e:
            result.fail(str(e))
            continue
        deleted.append((info, name, obj_ns, obj.metadata.uid))
        if args.force and grace_s == 0:
            result.say(f'{kind_label(info)} "{name}" force deleted')
        else:
            result.say(f'{kind_label(info)} "{name}" deleted')
    if args.wait != "false" and deleted:
        # As kubectl: say "deleted" at once, then wait (Ctrl-C stops waiting) for the pods to stop.
        result.stream = _wait_gone(store, deleted)
    return result


def _wait_gone(store, deleted):
    deadline = time.monotonic() + DELETE_WAIT
    for info, name, ns, uid in deleted:
        while time.monotonic() < deadline:
            obj = store.try_get(info.kind, name, ns)
            if obj is None or obj.metadata.uid != uid:
                break
            time.sleep(0.05)
    yield from ()


KUBECTL.add(Command(
    "apply", "create or update resources from manifests (files, a directory, or - for a heredoc)",
    "kubectl apply -f FILE|DIR|- [-R]", _apply,
    flags=(FILENAME, NAMESPACE, Flag(("-R", "--recursive"), "also read manifests in subdirectories")),
    examples=("kubectl apply -f pod.yaml", "kubectl apply -f manifests/")))

KUBECTL.add(Command(
    "create", "create resources from manifests (fails if they exist), a namespace or a deployment",
    "kubectl create -f FILE | kubectl create namespace NAME | kubectl create deployment NAME --image=IMAGE", _create,
    flags=(FILENAME, NAMESPACE, Flag(("-R", "--recursive"), "also read manifests in subdirectories"))
    + CREATE_DEPLOYMENT_FLAGS,
    positional=("create-what", "name")))

KUBECTL.add(Command(
    "delete", "delete resources by name, by label, or as listed in manifests (waits until they are gone)",
    "kubectl delete KIND NAME... | KIND/NAME | -f FILE | KIND -l SEL | KIND --all", _delete,
    flags=(FILENAME, NAMESPACE, SELECTOR,
           Flag(("--all",), "delete every resource of the kind in the namespace"),
           Flag(("--grace-period",), "seconds a pod gets to stop after SIGTERM (default: the pod's)", value="N"),
           Flag(("--now",), "delete at once (grace period 1)"),
           Flag(("--force",), "with --grace-period=0: remove without waiting for the pod to stop"),
           Flag(("--wait",), "wait for the resources to be gone (default true)", value="BOOL", default="true")),
    positional=("kind", "name"),
    examples=("kubectl delete pod web", "kubectl delete -f pod.yaml", "kubectl delete pods -l app=web")))
