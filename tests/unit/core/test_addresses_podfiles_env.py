"""Address plan, IPAM, the kubelet's pod files and container environments (pure)."""

from __future__ import annotations

import pytest

from k8slab.api.codec import from_dict
from k8slab.api.pod import Pod
from k8slab.net.addresses import ClusterSpec, PodIPAM, validate_node_count
from k8slab.runtime.env import ConfigError, container_env, expand
from k8slab.runtime.podfiles import pod_hosts_file, pod_resolv_conf


def test_node_plans_follow_kind_layout():
    plans = ClusterSpec(nodes=3).node_plans()
    assert [(p.name, p.ip, p.pod_cidr, p.gateway) for p in plans] == [
        ("node1", "172.18.0.2", "10.244.1.0/24", "10.244.1.1"),
        ("node2", "172.18.0.3", "10.244.2.0/24", "10.244.2.1"),
        ("node3", "172.18.0.4", "10.244.3.0/24", "10.244.3.1"),
    ]


@pytest.mark.parametrize("n", [0, -1, 51])
def test_node_count_limits(n):
    with pytest.raises(ValueError):
        validate_node_count(n)


def test_ipam_continues_after_last_and_wraps_like_host_local():
    ipam = PodIPAM("10.244.1.0/29")  # hosts .1-.6; .1 is the gateway
    got = [ipam.allocate() for _ in range(5)]
    assert got == ["10.244.1.2", "10.244.1.3", "10.244.1.4", "10.244.1.5", "10.244.1.6"]
    with pytest.raises(RuntimeError):
        ipam.allocate()
    ipam.release("10.244.1.3")
    ipam.release("10.244.1.5")
    assert ipam.allocate() == "10.244.1.3"  # wraps around to the first free one
    assert ipam.allocate() == "10.244.1.5"


def test_ipam_gives_a_recreated_pod_a_new_ip():
    ipam = PodIPAM("10.244.2.0/24")
    first = ipam.allocate()
    ipam.release(first)
    assert ipam.allocate() != first


def test_hosts_file_with_subdomain_has_fqdn_first():
    text = pod_hosts_file("10.244.1.5", "busybox-1", "default", "default-subdomain")
    assert text.startswith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n")
    assert text.endswith("10.244.1.5\tbusybox-1.default-subdomain.default.svc.cluster.local\tbusybox-1\n")
    assert pod_hosts_file("10.244.1.6", "web", "default").endswith("10.244.1.6\tweb\n")
    aliased = pod_hosts_file("10.244.1.6", "web", "default", host_aliases=[("1.2.3.4", ["a", "b"])])
    assert "# Entries added by HostAliases.\n1.2.3.4\ta\tb\n" in aliased


def test_resolv_conf_per_dns_policy():
    assert pod_resolv_conf("ClusterFirst", "dev", "node file\n") == (
        "search dev.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n")
    assert pod_resolv_conf("Default", "dev", "node file\n") == "node file\n"
    assert pod_resolv_conf("None", "dev", "", ["1.1.1.1"], ["example.com"], [("ndots", "2"), ("edns0", None)]) == (
        "search example.com\nnameserver 1.1.1.1\noptions ndots:2 edns0\n")
    merged = pod_resolv_conf("ClusterFirst", "dev", "", ["10.96.0.10", "9.9.9.9"], [], [("ndots", "1")])
    assert "nameserver 10.96.0.10\nnameserver 9.9.9.9\noptions ndots:1" in merged


def _pod(env):
    return from_dict(Pod, {"apiVersion": "v1", "kind": "Pod",
                           "metadata": {"name": "web", "namespace": "dev", "labels": {"app": "x"}},
                           "spec": {"nodeName": "node2", "containers": [{"name": "c", "image": "busybox", "env": env}]},
                           "status": {"podIP": "10.244.2.7"}})


def test_env_expansion_and_field_refs():
    pod = _pod([{"name": "A", "value": "one"}, {"name": "B", "value": "$(A)-two-$$(A)-$(NOPE)"},
                {"name": "ME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}}])
    env = container_env(pod, pod.spec.containers[0])
    assert env["B"] == "one-two-$(A)-$(NOPE)"
    assert (env["ME"], env["IP"], env["APP"], env["HOSTNAME"]) == ("web", "10.244.2.7", "x", "web")
    assert expand("$(X) $$(X)", {"X": "1"}) == "1 $(X)"


def test_env_from_a_missing_configmap_is_a_config_error():
    pod = _pod([{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "k"}}}])
    with pytest.raises(ConfigError, match='configmap "cfg" not found'):
        container_env(pod, pod.spec.containers[0])


def _svc(name, ns="default", ip="10.0.0.11", ports=({"name": "redis", "port": 6379},), **spec):
    from k8slab.api.service import Service

    return from_dict(Service, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
                               "spec": {"clusterIP": ip, "ports": list(ports), **spec}})


def test_service_env_matches_the_kubelets_reference_example():
    from k8slab.runtime.env import service_env

    kube = _svc("kubernetes", ip="10.96.0.1", ports=({"name": "https", "port": 443},))
    env = service_env([_svc("redis-master", ns="dev"), kube], "dev", True)
    assert {k: v for k, v in env.items() if k.startswith("REDIS")} == {
        "REDIS_MASTER_SERVICE_HOST": "10.0.0.11", "REDIS_MASTER_SERVICE_PORT": "6379",
        "REDIS_MASTER_SERVICE_PORT_REDIS": "6379", "REDIS_MASTER_PORT": "tcp://10.0.0.11:6379",
        "REDIS_MASTER_PORT_6379_TCP": "tcp://10.0.0.11:6379", "REDIS_MASTER_PORT_6379_TCP_PROTO": "tcp",
        "REDIS_MASTER_PORT_6379_TCP_PORT": "6379", "REDIS_MASTER_PORT_6379_TCP_ADDR": "10.0.0.11"}
    assert env["KUBERNETES_SERVICE_PORT_HTTPS"] == "443"


def test_service_env_skips_headless_externalname_other_namespaces_and_respects_service_links():
    from k8slab.runtime.env import service_env

    kube = _svc("kubernetes", ip="10.96.0.1", ports=({"name": "https", "port": 443},))
    services = [_svc("headless", ip="None"), _svc("ext", type="ExternalName", externalName="a.example.com", ip=None),
                _svc("other", ns="prod"), _svc("mine"), kube]
    env = service_env(services, "default", True)
    assert {k.split("_")[0] for k in env} == {"MINE", "KUBERNETES"}
    assert {k.split("_")[0] for k in service_env(services, "default", False)} == {"KUBERNETES"}
