"""kubectl get and describe."""

from __future__ import annotations

from k8slab.api import kinds
from k8slab.api.codec import to_dict
from k8slab.api.errors import ApiError
from k8slab.api.selectors import parse_selector
from k8slab.errors import UserError
from k8slab.shell.kubectl.watching import watch_rows
from k8slab.shell.kubectl import (ALL_NAMESPACES, KUBECTL, NAMESPACE, OUTPUT, SELECTOR, dicts, namespace_of,
                                  now, split_targets)
from k8slab.shell.registry import Command, Flag
from k8slab.shell.results import Result
from k8slab.api.endpointslice import SERVICE_NAME_LABEL
from k8slab.views import describe, describe_service, output, tables, yamlout
from k8slab.views.tables_service import endpoints_deprecation_warning


def _get(session, args, _stdin) -> Result:
    store = session.cluster.store
    if args.args and args.args[0] == "all":
        return _get_all(session, args)
    targets = split_targets(args.args)
    ns = None if args.all_namespaces else namespace_of(session, args)
    selector = parse_selector(args.selector) if args.selector else None
    fmt = (args.output or "").lstrip("=")
    result = Result()
    if any(info.kind == "Endpoints" for info, _ in targets):
        result.warn(endpoints_deprecation_warning().rstrip("\n"))
    named = [t for t in targets if t[1] is not None]
    found = []
    for info, name in targets:
        if name is None:
            found.append((info, store.list(info.kind, ns if info.namespaced else None, selector)))
            continue
        try:
            found.append((info, [store.get(info.kind, name, namespace_of(session, args) if info.namespaced else None)]))
        except ApiError as e:
            result.fail(str(e))
    objs = [o for _, group in found for o in group]
    if fmt and fmt != "wide":
        if objs or named:
            text = output.render_output(dicts(objs), fmt, single=len(named) == 1 and len(targets) == 1)
            if text:
                result.say(text.rstrip("\n"))
        elif not named:
            result.warn(tables.no_resources_message(None if args.all_namespaces else ns))
        return result
    printed = 0
    several_kinds = len({info.kind for info, _ in targets}) > 1  # kubectl then names rows kind/name
    for info, group in found:
        if not group:
            continue
        text = tables.render_table(info.kind, dicts(group), now=now(), wide=fmt == "wide",
                                   all_namespaces=bool(args.all_namespaces) and info.namespaced,
                                   show_labels=args.show_labels, no_headers=args.no_headers,
                                   label_columns=tuple(_label_columns(args.label_columns)), with_kind=several_kinds)
        # The blank line between tables travels with the next table: a lone newline can be lost
        # by the prompt's output proxy.
        result.say(("\n" if printed else "") + text.rstrip("\n"))
        printed += 1
    if not objs and not named:
        scoped = any(i.namespaced for i, _ in targets)
        result.warn(tables.no_resources_message(ns if scoped and not args.all_namespaces else None))
    if args.watch:
        if len(targets) != 1:
            raise UserError("error: you may only specify a single resource type")
        info, name = targets[0]
        result.stream = watch_rows(store, info, ns if info.namespaced else None, selector, name,
                                   wide=fmt == "wide", all_namespaces=bool(args.all_namespaces),
                                   show_labels=args.show_labels)
    return result


# What `kubectl get all` lists, in its order (the "all" category of the built-in kinds).
ALL_KINDS = ("Pod", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet")


def _get_all(session, args) -> Result:
    """`kubectl get all`: the workload kinds and Services, each table with kind/name names."""
    ns = None if args.all_namespaces else namespace_of(session, args)
    selector = parse_selector(args.selector) if args.selector else None
    sections = [(kind, dicts(session.cluster.store.list(kind, ns, selector)))
                for kind in ALL_KINDS if kinds.try_resolve(kind)]
    result = Result()
    text = tables.render_all(sections, now=now(), wide=(args.output or "").lstrip("=") == "wide",
                             all_namespaces=bool(args.all_namespaces), show_labels=args.show_labels)
    if text.strip():
        result.say(text.rstrip("\n"))
    else:
        result.warn(tables.no_resources_message(ns))
    return result


def _label_columns(values):
    for v in values or ():
        yield from (k for k in v.split(",") if k)


def _describe(session, args, _stdin) -> Result:
    store = session.cluster.store
    if not args.args:
        raise UserError("error: You must specify the type of resource to describe. Use \"kubectl api-resources\" "
                        "for a complete list of supported resources.")
    ns = namespace_of(session, args)
    result = Result()
    if kinds.resolve(args.args[0].split("/")[0]).kind == "Endpoints":
        result.warn(endpoints_deprecation_warning().rstrip("\n"))
    if len(args.args) == 1 and "/" not in args.args[0]:
        info = kinds.resolve(args.args[0])
        selector = parse_selector(args.selector) if args.selector else None
        objs = store.list(info.kind, None if args.all_namespaces else (ns if info.namespaced else None), selector)
        if not objs:
            result.warn(tables.no_resources_message(ns if info.namespaced else None))
        texts = [_describe_one(session, info, o) for o in objs]
        return result.say("\n\n".join(t.rstrip("\n") for t in texts)) if texts else result
    texts = []
    for info, name in split_targets(args.args):
        obj_ns = ns if info.namespaced else None
        obj = store.try_get(info.kind, name, obj_ns)
        matches = [obj] if obj is not None else [o for o in store.list(info.kind, obj_ns)
                                                   if o.metadata.name.startswith(name)]
        if not matches:  # kubectl describe falls back to a name-prefix match, then gives up
            result.fail(f'Error from server (NotFound): {info.resource} "{name}" not found')
            continue
        texts += [_describe_one(session, info, o) for o in matches]
    if texts:
        result.say("\n\n".join(t.rstrip("\n") for t in texts))
    return result


def _events_for(store, obj) -> list:
    """The events about `obj`, as kubectl describe finds them (kind, name and uid of the object)."""
    meta, kind = obj.metadata, type(obj).kind
    found = []
    for ev in store.list("Event", meta.namespace or None):
        ref = ev.involved_object
        if ref.kind == kind and ref.name == meta.name and ref.uid in (None, meta.uid) \
                and (ref.namespace or None) == (meta.namespace or None):
            found.append(to_dict(ev))
    return found


def _describe_one(session, info, obj) -> str:
    store = session.cluster.store
    events = _events_for(store, obj) if kinds.try_resolve("Event") else ()
    if info.kind == "Pod":
        return describe.describe_pod(to_dict(obj), now=now(), events=events)
    if info.kind == "Node":
        pods = [to_dict(p) for p in store.list("Pod")
                if p.spec.node_name == obj.metadata.name and p.status.phase not in ("Succeeded", "Failed")]
        return describe.describe_node(to_dict(obj), pods=pods, now=now(), events=events)
    if info.kind == "Service":
        slices = [to_dict(s) for s in store.list("EndpointSlice", obj.metadata.namespace)
                  if s.metadata.labels.get(SERVICE_NAME_LABEL) == obj.metadata.name]
        return describe_service.describe_service(to_dict(obj), endpoint_slices=slices, now=now(), events=events)
    if info.kind == "Endpoints":
        return describe_service.describe_endpoints(to_dict(obj), now=now(), events=events)
    if info.kind == "EndpointSlice":
        return describe_service.describe_endpointslice(to_dict(obj), now=now(), events=events)
    return yamlout.dump_yaml(to_dict(obj))


KUBECTL.add(Command(
    "get", "list resources in a table, or print them as YAML, JSON, names or jsonpath",
    "kubectl get KIND [NAME...] | KIND/NAME... [flags]", _get,
    flags=(NAMESPACE, ALL_NAMESPACES, OUTPUT, SELECTOR,
           Flag(("--show-labels",), "add a LABELS column"),
           Flag(("--no-headers",), "leave out the header line"),
           Flag(("-w", "--watch"), "after listing, print each change as it happens (Ctrl-C stops)"),
           Flag(("-L", "--label-columns"), "add a column for each of these label keys", value="KEYS", repeat=True)),
    positional=("kind", "name"),
    examples=("kubectl get pods -o wide", "kubectl get pod web -o yaml", "kubectl get nodes --show-labels",
              "kubectl get pods -l run=web -o jsonpath='{.items[*].status.podIP}'")))

KUBECTL.add(Command(
    "describe", "show a resource in detail, with its conditions and events",
    "kubectl describe KIND [NAME] | KIND/NAME", _describe,
    flags=(NAMESPACE, ALL_NAMESPACES, SELECTOR), positional=("kind", "name"),
    examples=("kubectl describe pod web", "kubectl describe node node1")))
