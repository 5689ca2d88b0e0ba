"""The per-container and per-volume blocks of `kubectl describe pod` (and of pod templates)."""

from __future__ import annotations

import math
from typing import List, Optional

from k8slab.views.age import rfc1123z
from k8slab.views.describe_common import PrefixWriter, go_bool, sorted_names
from k8slab.views.quantity import parse_quantity


def describe_containers(w: PrefixWriter, label: str, containers: List[dict], statuses: List[dict],
                        pod: Optional[dict], space: str = "") -> None:
    """`describeContainers`: `Containers:` and one block per container."""
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    for c in containers:
        status = by_name.get(c.get("name"))
        _basic_info(w, c, status, space)
        _command(w, c)
        if status is not None:
            describe_status(w, "State", status.get("state") or {})
            last = status.get("lastState") or {}
            if last.get("terminated") is not None:
                describe_status(w, "Last State", last)
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        describe_resources(w, c.get("resources") or {}, 2)
        for title, key in (("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"),
                           ("Startup", "startupProbe")):
            if c.get(key) is not None:
                w.write(2, f"{title}:\t{describe_probe(c[key])}\n")
        if c.get("envFrom"):
            _env_from(w, c["envFrom"])
        _env(w, c, pod)
        _mounts(w, c)


def _basic_info(w: PrefixWriter, c: dict, status: Optional[dict], space: str) -> None:
    w.write(1, f"{' ' if space else ''}{c.get('name', '')}:\n")
    if status is not None:
        w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
    w.write(2, f"Image:\t{c.get('image', '')}\n")
    if status is not None:
        w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
    ports = c.get("ports") or []
    port_text = ", ".join(f"{p.get('containerPort', 0)}/{p.get('protocol', 'TCP')}" for p in ports)
    host_text = ", ".join(f"{p.get('hostPort', 0)}/{p.get('protocol', 'TCP')}" for p in ports)
    if "," in port_text:
        w.write(2, f"Ports:\t{port_text}\n")
    else:
        w.write(2, f"Port:\t{port_text or '<none>'}\n")
    if "," in host_text:
        w.write(2, f"Host Ports:\t{host_text}\n")
    else:
        w.write(2, f"Host Port:\t{host_text or '<none>'}\n")
    seccomp = (c.get("securityContext") or {}).get("seccompProfile")
    if seccomp:
        w.write(2, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(3, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")


def _command(w: PrefixWriter, c: dict) -> None:
    for title, key in (("Command", "command"), ("Args", "args")):
        if c.get(key):
            w.write(2, f"{title}:\n")
            for item in c[key]:
                for line in str(item).split("\n"):
                    w.write(3, f"{line}\n")


def describe_status(w: PrefixWriter, name: str, state: dict) -> None:
    """`describeStatus`: `State:` / `Last State:` with Running, Waiting or Terminated details."""
    if state.get("running") is not None:
        w.write(2, f"{name}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(2, f"{name}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        t = state["terminated"]
        w.write(2, f"{name}:\tTerminated\n")
        if t.get("reason"):
            w.write(3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(3, f"Message:\t{t['message']}\n")
        w.write(3, f"Exit Code:\t{t.get('exitCode', 0)}\n")
        if (t.get("signal") or 0) > 0:
            w.write(3, f"Signal:\t{t['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(t.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(t.get('finishedAt'))}\n")
    else:
        w.write(2, f"{name}:\tWaiting\n")


def describe_resources(w: PrefixWriter, resources: dict, level: int) -> None:
    """`describeResources`: `Limits:` / `Requests:` with one `name:  quantity` per resource."""
    for title, key in (("Limits", "limits"), ("Requests", "requests")):
        values = resources.get(key) or {}
        if values:
            w.write(level, f"{title}:\n")
        for name in sorted_names(values):
            w.write(level + 1, f"{name}:\t{_quantity_text(values[name])}\n")


def _quantity_text(value: object) -> str:
    try:
        return str(parse_quantity(value))  # type: ignore[arg-type]
    except ValueError:
        return str(value)


def describe_probe(probe: dict) -> str:
    """`DescribeProbe`: `http-get http://:80/ delay=0s timeout=1s period=10s #success=1 #failure=3`."""
    attrs = (f"delay={probe.get('initialDelaySeconds', 0)}s timeout={probe.get('timeoutSeconds', 0)}s "
             f"period={probe.get('periodSeconds', 0)}s #success={probe.get('successThreshold', 0)} "
             f"#failure={probe.get('failureThreshold', 0)}")
    if probe.get("exec") is not None:
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attrs}"
    if probe.get("httpGet") is not None:
        return f"http-get {_probe_url(probe['httpGet'])} {attrs}"
    if probe.get("tcpSocket") is not None:
        tcp = probe["tcpSocket"]
        return f"tcp-socket {tcp.get('host', '')}:{tcp.get('port', '')} {attrs}"
    if probe.get("grpc") is not None:
        grpc = probe["grpc"]
        return f"grpc <pod>:{grpc.get('port', 0)} {grpc.get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _probe_url(http: dict) -> str:
    # Go builds a url.URL{Scheme, Host: JoinHostPort(host, port), Path} and prints it.
    host, port = http.get("host", ""), str(http.get("port", ""))
    if port:
        host = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    path = http.get("path", "")
    if path and not path.startswith("/") and host:
        path = "/" + path
    scheme = str(http.get("scheme", "")).lower()
    prefix = f"{scheme}:" if scheme else ""
    return f"{prefix}//{host}{path}" if host or scheme else path


def _env_from(w: PrefixWriter, env_from: List[dict]) -> None:
    w.write(2, "Environment Variables from:\n")
    for e in env_from:
        ref, kind = (e.get("configMapRef"), "ConfigMap") if e.get("configMapRef") else (e.get("secretRef"), "Secret")
        ref = ref or {}
        optional = go_bool(ref.get("optional"))
        if e.get("prefix"):
            w.write(3, f"{ref.get('name', '')}\t{kind} with prefix '{e['prefix']}'\tOptional: {optional}\n")
        else:
            w.write(3, f"{ref.get('name', '')}\t{kind}\tOptional: {optional}\n")


def _env(w: PrefixWriter, c: dict, pod: Optional[dict]) -> None:
    env = c.get("env") or []
    w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
    for e in env:
        source = e.get("valueFrom")
        if source is None:
            for i, line in enumerate(str(e.get("value", "")).split("\n")):
                w.write(3, f"{e.get('name', '')}:\t{line}\n" if i == 0 else f"\t{line}\n")
        elif source.get("fieldRef") is not None:
            ref = source["fieldRef"]
            value = field_path_value(pod, ref.get("fieldPath", "")) if pod else ""
            w.write(3, f"{e.get('name', '')}:\t{value} ({ref.get('apiVersion', '')}:{ref.get('fieldPath', '')})\n")
        elif source.get("resourceFieldRef") is not None:
            ref = source["resourceFieldRef"]
            value = _resource_field_value(c, ref)
            resource = ref.get("resource", "")
            if value == "0" and resource in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(3, f"{e.get('name', '')}:\t{value} ({resource})\n")
        elif source.get("secretKeyRef") is not None:
            ref = source["secretKeyRef"]
            w.write(3, f"{e.get('name', '')}:\t<set to the key '{ref.get('key', '')}' in secret "
                       f"'{ref.get('name', '')}'>\tOptional: {go_bool(ref.get('optional'))}\n")
        elif source.get("configMapKeyRef") is not None:
            ref = source["configMapKeyRef"]
            w.write(3, f"{e.get('name', '')}:\t<set to the key '{ref.get('key', '')}' of config map "
                       f"'{ref.get('name', '')}'>\tOptional: {go_bool(ref.get('optional'))}\n")


def field_path_value(pod: dict, path: str) -> str:
    """The downward-API value of `path` for `pod` (`metadata.name`, `status.podIP`, ...)."""
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    for prefix, source in (("metadata.labels", meta.get("labels")),
                           ("metadata.annotations", meta.get("annotations"))):
        if path.startswith(prefix + "['") and path.endswith("']"):
            return (source or {}).get(path[len(prefix) + 2:-2], "")
    simple = {
        "metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace"),
        "metadata.uid": meta.get("uid"), "spec.nodeName": spec.get("nodeName"),
        "spec.serviceAccountName": spec.get("serviceAccountName"),
        "status.hostIP": status.get("hostIP"), "status.podIP": status.get("podIP"),
        "status.podIPs": ",".join(ip.get("ip", "") for ip in status.get("podIPs") or []),
        "status.hostIPs": ",".join(ip.get("ip", "") for ip in status.get("hostIPs") or []),
    }
    return simple.get(path) or ""


def _resource_field_value(c: dict, ref: dict) -> str:
    kind, _, name = ref.get("resource", "").partition(".")
    raw = ((c.get("resources") or {}).get(kind) or {}).get(name)
    value = parse_quantity(raw).value if raw is not None else 0
    divisor = parse_quantity(ref.get("divisor") or "1").value or 1
    return str(math.ceil(value / divisor))


def _mounts(w: PrefixWriter, c: dict) -> None:
    mounts = c.get("volumeMounts") or []
    w.write(2, "Mounts:" + ("" if mounts else "\t<none>") + "\n")
    for m in sorted(mounts, key=lambda m: m.get("mountPath", "")):
        flags = ["ro" if m.get("readOnly") else "rw"]
        if m.get("subPath"):
            flags.append(f'path="{m["subPath"]}"')
        w.write(3, f"{m.get('mountPath', '')} from {m.get('name', '')} ({','.join(flags)})\n")
    devices = c.get("volumeDevices") or []
    if devices:
        w.write(2, "Devices:\n")
        for d in sorted(devices, key=lambda d: d.get("devicePath", "")):
            w.write(3, f"{d.get('devicePath', '')} from {d.get('name', '')}\n")


def describe_volumes(w: PrefixWriter, volumes: List[dict], space: str = "") -> None:
    """`describeVolumes`: `Volumes:` with the common volume sources, or `<none>`."""
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for v in volumes:
        w.write(1, f"{' ' if space else ''}{v.get('name', '')}:\n")
        if v.get("hostPath") is not None:
            hp = v["hostPath"]
            w.write(2, f"Type:\tHostPath (bare host directory volume)\n    Path:\t{hp.get('path', '')}\n"
                       f"    HostPathType:\t{hp.get('type') if hp.get('type') is not None else '<none>'}\n")
        elif v.get("emptyDir") is not None:
            ed = v["emptyDir"]
            limit = ed.get("sizeLimit")
            size = str(parse_quantity(limit)) if limit and parse_quantity(limit).value > 0 else "<unset>"
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                       f"    Medium:\t{ed.get('medium', '')}\n    SizeLimit:\t{size}\n")
        elif v.get("secret") is not None:
            s = v["secret"]
            w.write(2, f"Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{s.get('secretName', '')}\n"
                       f"    Optional:\t{go_bool(s.get('optional'))}\n")
        elif v.get("configMap") is not None:
            cm = v["configMap"]
            w.write(2, f"Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{cm.get('name', '')}\n"
                       f"    Optional:\t{go_bool(cm.get('optional'))}\n")
        elif v.get("persistentVolumeClaim") is not None:
            pvc = v["persistentVolumeClaim"]
            w.write(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
                       f"namespace)\n    ClaimName:\t{pvc.get('claimName', '')}\n"
                       f"    ReadOnly:\t{go_bool(pvc.get('readOnly'))}\n")
        elif v.get("downwardAPI") is not None:
            w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n")
            for item in v["downwardAPI"].get("items") or []:
                ref = item.get("fieldRef") or item.get("resourceFieldRef") or {}
                source = ref.get("fieldPath") or ref.get("resource", "")
                w.write(3, f"{source} -> {item.get('path', '')}\n")
        elif v.get("projected") is not None:
            _projected(w, v["projected"])
        else:
            w.write(1, "<unknown>\n")


def _projected(w: PrefixWriter, projected: dict) -> None:
    w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
    for source in projected.get("sources") or []:
        if source.get("secret") is not None:
            w.write(2, f"SecretName:\t{source['secret'].get('name', '')}\n"
                       f"    Optional:\t{go_bool(source['secret'].get('optional'))}\n")
        elif source.get("downwardAPI") is not None:
            w.write(2, "DownwardAPI:\ttrue\n")
        elif source.get("configMap") is not None:
            w.write(2, f"ConfigMapName:\t{source['configMap'].get('name', '')}\n"
                       f"    Optional:\t{go_bool(source['configMap'].get('optional'))}\n")
        elif source.get("serviceAccountToken") is not None:
            w.write(2, f"TokenExpirationSeconds:\t{source['serviceAccountToken'].get('expirationSeconds', 0)}\n")
