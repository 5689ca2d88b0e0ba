"""kubectl expose: a Service for a pod, built the way kubectl builds it."""

from __future__ import annotations

from k8slab.api.codec import from_dict
from k8slab.api.service import Service
from k8slab.errors import UserError
from k8slab.shell.kubectl import KUBECTL, NAMESPACE, OUTPUT, stand_in_notices, namespace_of
from k8slab.shell.registry import Command, Flag
from k8slab.shell.results import Result
from k8slab.views import output

SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")


def service_manifest_for_pod(pod, args) -> dict:
    """The Service `kubectl expose pod` would create (selector = the pod's labels)."""
    name = args.name or pod.metadata.name
    selector = dict(kv.split("=", 1) for kv in args.selector.split(",")) if args.selector else dict(pod.metadata.labels)
    if not selector:
        raise UserError("error: couldn't retrieve selectors via --selector flag or introspection: the pod has no "
                        "labels and cannot be exposed\nSee 'kubectl expose -h' for help and examples")
    protocol = args.protocol or "TCP"
    if args.port:
        ports = [{"port": int(args.port), "protocol": protocol}]
    else:
        declared = [p for c in pod.spec.containers for p in c.ports]
        if not declared:
            raise UserError("error: couldn't find port via --port flag or introspection\n"
                            "See 'kubectl expose -h' for help and examples")
        ports = [{"port": p.container_port, "protocol": p.protocol or "TCP"} for p in declared]
    if len(ports) > 1:
        for i, p in enumerate(ports, 1):
            p["name"] = f"port-{i}"
    for p in ports:
        target = args.target_port
        p["targetPort"] = (int(target) if str(target).isdigit() else target) if target else p["port"]
    spec = {"ports": ports, "selector": selector}
    if args.type:
        if args.type not in SERVICE_TYPES:
            raise UserError(f'error: Service "{name}" is invalid: spec.type: Unsupported value: "{args.type}": '
                            'supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"')
        spec["type"] = args.type
    if args.cluster_ip:
        spec["clusterIP"] = args.cluster_ip
    labels = dict(pod.metadata.labels)
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": labels}, "spec": spec}


def _expose(session, args, _stdin) -> Result:
    if len(args.args) < 1:
        raise UserError("error: You must provide one or more resources by argument or filename.")
    words = args.args
    kind, name = (words[0].split("/", 1) if "/" in words[0] else (words[0], words[1] if len(words) > 1 else None))
    if not name:
        raise UserError("error: You must provide one or more resources by argument or filename.")
    if kind in ("pod", "pods", "po"):
        pod = session.cluster.store.get("Pod", name, namespace_of(session, args))
        manifest = service_manifest_for_pod(pod, args)
    else:  # a Deployment, ReplicaSet or StatefulSet: its selector, its template's ports, its own labels
        from k8slab.shell.kubectl.workloads import expose_source

        source = expose_source(session.cluster.store, kind, name, namespace_of(session, args))
        if source is None:
            raise UserError(f"error: cannot expose a {kind}: k8slab exposes pods, deployments, replica sets "
                            "and stateful sets")
        manifest = service_manifest_for_pod(source[0], args)
        manifest["metadata"]["labels"] = source[1]
    if args.dry_run == "client":
        return Result().say(output.render_output([manifest], args.output or "yaml", single=True).rstrip("\n"))
    svc = session.cluster.store.create(from_dict(Service, manifest), namespace=namespace_of(session, args))
    result = Result().say(f"service/{svc.metadata.name} exposed")
    for note in stand_in_notices(svc):
        result.warn(note)
    return result


KUBECTL.add(Command(
    "expose", "make a pod reachable through a new Service", "kubectl expose pod NAME --port=PORT [--type=TYPE]",
    _expose,
    flags=(Flag(("--port",), "the Service's port (default: the pod's container ports)", value="PORT"),
           Flag(("--target-port",), "the pod's port or port name (default: the same as --port)", value="PORT"),
           Flag(("--name",), "the Service's name (default: the pod's)", value="NAME"),
           Flag(("--type",), "ClusterIP (default), NodePort or LoadBalancer", value="TYPE", choices=SERVICE_TYPES),
           Flag(("--protocol",), "TCP (default), UDP or SCTP", value="PROTO", choices=("TCP", "UDP", "SCTP")),
           Flag(("--selector",), "pods to select instead of the pod's labels, e.g. app=web", value="SEL"),
           Flag(("--cluster-ip",), "a ClusterIP to ask for, or None for a headless Service", value="IP"),
           Flag(("--dry-run",), "client: print the Service instead of creating it", value="MODE"),
           OUTPUT, NAMESPACE),
    positional=("kind", "name"),
    examples=("kubectl expose pod web --port=80", "kubectl expose pod web --port=80 --type=NodePort")))
