"""A container's environment and its `$(VAR)` expansion, as the kubelet builds them (pure)."""

from __future__ import annotations

import re
from typing import Dict, Mapping, Sequence

from k8slab.api.pod import Container, Pod

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.\-]*)\)")


class ConfigError(Exception):
    """The container cannot be configured (the kubelet reports CreateContainerConfigError)."""


def expand(text: str, env: Mapping[str, str]) -> str:
    """Kubernetes' `$(VAR)` expansion: known names are replaced, unknown ones kept, `$$` escapes."""
    def sub(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1)
        return env[name] if name in env else m.group(0)
    return _REF.sub(sub, text)


def _field_ref(pod: Pod, path: str) -> str:
    meta, spec, status = pod.metadata, pod.spec, pod.status
    simple = {
        "metadata.name": meta.name, "metadata.namespace": meta.namespace, "metadata.uid": meta.uid,
        "spec.nodeName": spec.node_name, "spec.serviceAccountName": spec.service_account_name,
        "status.hostIP": status.host_ip, "status.podIP": status.pod_ip,
        "status.podIPs": ",".join(p.ip for p in status.pod_ips),
        "status.hostIPs": ",".join(h.ip for h in status.host_ips),
    }
    if path in simple:
        return simple[path] or ""
    m = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if m:
        return (meta.labels if m.group(1) == "labels" else meta.annotations).get(m.group(2), "")
    raise ConfigError(f'unsupported fieldPath: "{path}"')


def container_env(pod: Pod, container: Container, links: Mapping[str, str] = ()) -> Dict[str, str]:
    """The environment a container's process starts with (`links`: the Service variables)."""
    env: Dict[str, str] = {"PATH": DEFAULT_PATH, "HOSTNAME": pod.spec.hostname or pod.metadata.name or "",
                           "HOME": "/root"}
    env.update(dict(links))
    for var in container.env:
        if var.value_from:
            src = var.value_from
            if "fieldRef" in src:
                value = _field_ref(pod, src["fieldRef"].get("fieldPath", ""))
            elif "configMapKeyRef" in src or "secretKeyRef" in src:
                kind = "configmap" if "configMapKeyRef" in src else "secret"
                ref = src.get("configMapKeyRef") or src.get("secretKeyRef")
                if ref.get("optional"):
                    continue
                raise ConfigError(f'{kind} "{ref.get("name", "")}" not found')
            else:
                value = ""
        else:
            value = expand(var.value or "", env)
        env[var.name] = value
    return env


def expand_argv(argv: Sequence[str], env: Mapping[str, str]) -> list:
    """Expand `$(VAR)` in a container's command and args."""
    return [expand(a, env) for a in argv]


def _env_name(name: str) -> str:
    return name.upper().replace("-", "_")


def service_env(services, namespace: str, enable_service_links: bool) -> Dict[str, str]:
    """The `*_SERVICE_HOST`/`*_PORT_*` variables the kubelet gives a container (reference section 5).

    Services with a ClusterIP in the pod's namespace (when enableServiceLinks), and `default/kubernetes`
    always. Computed when the container starts: Services created later are not seen until a restart.
    """
    env: Dict[str, str] = {}
    chosen = {}
    for svc in services:
        spec = svc.spec
        if not spec.cluster_ip or spec.cluster_ip == "None" or spec.type == "ExternalName":
            continue
        ns, name = svc.metadata.namespace, svc.metadata.name
        if (ns == namespace and enable_service_links) or (ns == "default" and name == "kubernetes"):
            # A same-named Service in the pod's own namespace wins over default/kubernetes.
            if name not in chosen or ns == namespace:
                chosen[name] = svc
    for name, svc in sorted(chosen.items()):
        ip, ports = svc.spec.cluster_ip, svc.spec.ports
        if not ports:
            continue
        prefix = _env_name(name)
        env[f"{prefix}_SERVICE_HOST"] = ip
        env[f"{prefix}_SERVICE_PORT"] = str(ports[0].port)
        for p in ports:
            if p.name:
                env[f"{prefix}_SERVICE_PORT_{_env_name(p.name)}"] = str(p.port)
        first = ports[0]
        env[f"{prefix}_PORT"] = f"{(first.protocol or 'TCP').lower()}://{ip}:{first.port}"
        for p in ports:
            proto = (p.protocol or "TCP")
            base = f"{prefix}_PORT_{p.port}_{proto.upper()}"
            env[base] = f"{proto.lower()}://{ip}:{p.port}"
            env[f"{base}_PROTO"] = proto.lower()
            env[f"{base}_PORT"] = str(p.port)
            env[f"{base}_ADDR"] = ip
    return env
