"""Service updates: allocated values kept, type changes allocate and release, apply stays idempotent."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
import yaml
from api_service_fixtures import allocator, api_error, kubectl_invalid, manifest, new_store, node_ports, service, usage

from k8slab.api.apply import apply_manifest
from k8slab.api.codec import from_dict, to_dict
from k8slab.api.service import LoadBalancerIngress, LoadBalancerStatus, Service

WEB_YAML = """
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
    - name: dns
      port: 53
      protocol: UDP
"""


def apply(store, doc):
    """kubectl apply of one manifest dict: (result word, stored object)."""
    return apply_manifest(store, copy.deepcopy(doc), "svc.yaml", "default")


def with_spec(doc, **changes):
    """A copy of a manifest with spec fields changed (None removes one)."""
    out = copy.deepcopy(doc)
    for key, value in changes.items():
        if value is None:
            out["spec"].pop(key, None)
        else:
            out["spec"][key] = value
    return out


def replace_spec(obj: Service, **changes) -> Service:
    """The stored object with spec fields replaced (what `kubectl edit` sends)."""
    return replace(obj, spec=replace(obj.spec, **changes))


def without_allocations(obj: Service) -> Service:
    """What a client sends when it never saw the allocated values (the original manifest)."""
    ports = tuple(replace(p, node_port=None) for p in obj.spec.ports)
    return replace_spec(obj, cluster_ip=None, cluster_ips=(), ports=ports, health_check_node_port=None)


# ------------------------------------------------------------------ kubectl apply

def test_apply_type_changes_and_reapply_is_unchanged():
    store = new_store()
    original = yaml.safe_load(WEB_YAML)
    word, created = apply(store, original)
    assert word == "created"
    ip = created.spec.cluster_ip
    assert usage(store) == (1, 0)

    word, node_port = apply(store, with_spec(original, type="NodePort"))
    assert word == "configured" and node_port.spec.type == "NodePort"
    assert node_port.spec.cluster_ip == ip
    assert all(node_ports(node_port)) and usage(store) == (1, 2)
    assert node_port.spec.external_traffic_policy == "Cluster"

    word, back = apply(store, original)
    assert word == "configured" and back.spec.type == "ClusterIP"
    assert back.spec.cluster_ip == ip and node_ports(back) == [None, None]
    assert back.spec.external_traffic_policy is None
    assert usage(store) == (1, 0)
    assert to_dict(back)["spec"] == to_dict(created)["spec"]

    word, same = apply(store, original)
    assert word == "unchanged" and same == back


@pytest.mark.parametrize("spec", [
    {"type": "NodePort"},
    {"type": "LoadBalancer", "externalTrafficPolicy": "Local"},
    {"clusterIP": "None"},
    {"sessionAffinity": "ClientIP"},
    {"type": "ExternalName", "externalName": "my.database.example.com"},
])
def test_reapplying_the_same_manifest_is_unchanged(spec):
    store = new_store()
    doc = manifest(**spec)
    _, first = apply(store, doc)
    before = usage(store)
    word, second = apply(store, doc)
    assert (word, second) == ("unchanged", first)
    assert usage(store) == before


def test_apply_to_and_from_external_name():
    store = new_store()
    original = manifest(selector={"app": "db"}, ports=[{"port": 5432}])
    _, created = apply(store, original)
    ip = created.spec.cluster_ip
    word, external = apply(store, with_spec(original, type="ExternalName", externalName="my.database.example.com"))
    assert word == "configured"
    assert (external.spec.cluster_ip, external.spec.cluster_ips) == (None, ())
    assert (external.spec.ip_families, external.spec.ip_family_policy) == ((), None)
    assert usage(store) == (0, 0)
    store.create(service("reuse", clusterIP=ip))  # the released address is free again
    word, back = apply(store, original)
    assert word == "configured" and back.spec.cluster_ip not in (None, ip)
    assert back.spec.external_name is None and back.spec.ip_families == ("IPv4",)


# ------------------------------------------------------------------ allocated values are kept

def test_an_update_without_allocated_values_keeps_them():
    store = new_store()
    lb = store.create(service(type="LoadBalancer", externalTrafficPolicy="Local",
                              ports=[{"name": "http", "port": 80}, {"name": "https", "port": 443}]))
    rv = lb.metadata.resource_version
    same = store.update(without_allocations(lb))
    assert same == lb and same.metadata.resource_version == rv
    assert usage(store) == (1, 3)


def test_headless_stays_headless():
    store = new_store()
    headless = store.create(service(clusterIP="None", selector={"app": "db"}))
    assert store.update(without_allocations(headless)) == headless
    err = api_error(store.update, replace_spec(headless, cluster_ip="10.96.0.40", cluster_ips=("10.96.0.40",)))
    assert str(err) == kubectl_invalid("web", ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.40"}: '
                                              "may not change once set"])


def test_changing_the_cluster_ip_is_refused():
    store = new_store()
    svc = store.create(service(clusterIP="10.96.0.50"))
    before = usage(store)
    # Only clusterIP changed: clusterIPs is rewritten to match first, so the error names clusterIPs.
    err = api_error(store.update, replace_spec(svc, cluster_ip="10.96.0.99"))
    assert str(err) == kubectl_invalid("web", ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: '
                                              "may not change once set"])
    assert usage(store) == before and not allocator(store).ips.is_allocated("10.96.0.99")


def test_health_check_node_port_is_immutable():
    store = new_store()
    lb = store.create(service(type="LoadBalancer", externalTrafficPolicy="Local", healthCheckNodePort=30500))
    err = api_error(store.update, replace_spec(lb, health_check_node_port=30501))
    assert str(err) == kubectl_invalid("web", ["spec.healthCheckNodePort: Forbidden: field is immutable"])
    assert allocator(store).ports.is_allocated(30500) and not allocator(store).ports.is_allocated(30501)


# ------------------------------------------------------------------ type transitions

def test_cluster_ip_to_external_name_and_back():
    store = new_store()
    svc = store.create(service(clusterIP="10.96.3.3"))
    external = store.update(replace_spec(svc, type="ExternalName", external_name="db.example.com"))
    assert (external.spec.cluster_ip, external.spec.cluster_ips) == (None, ())
    assert not allocator(store).ips.is_allocated("10.96.3.3")
    back = store.update(replace_spec(external, type="ClusterIP", external_name=None))
    assert back.spec.cluster_ip and allocator(store).ips.is_allocated(back.spec.cluster_ip)
    assert back.spec.ip_families == ("IPv4",) and back.spec.ip_family_policy == "SingleStack"


def test_external_name_to_node_port_allocates_address_and_port():
    store = new_store()
    external = store.create(service(type="ExternalName", externalName="db.example.com"))
    svc = store.update(replace_spec(external, type="NodePort", external_name=None))
    assert svc.spec.cluster_ip and all(node_ports(svc))
    assert usage(store) == (1, 1)


def test_external_name_to_a_chosen_address():
    store = new_store()
    external = store.create(service(type="ExternalName", externalName="db.example.com"))
    svc = store.update(replace_spec(external, type="ClusterIP", external_name=None, cluster_ip="10.96.4.4"))
    assert svc.spec.cluster_ips == ("10.96.4.4",) and allocator(store).ips.is_allocated("10.96.4.4")


def test_node_port_to_cluster_ip_releases_and_clears_ports():
    store = new_store()
    svc = store.create(service(type="NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    back = store.update(replace_spec(svc, type="ClusterIP"))
    assert node_ports(back) == [None] and back.spec.external_traffic_policy is None
    assert usage(store) == (1, 0)
    store.create(service("next", type="NodePort", ports=[{"port": 80, "nodePort": 30080}]))


def test_node_port_to_cluster_ip_with_a_new_node_port_is_refused_and_releases_nothing():
    store = new_store()
    svc = store.create(service(type="NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    ports = (replace(svc.spec.ports[0], node_port=30081),)
    err = api_error(store.update, replace_spec(svc, type="ClusterIP", ports=ports))
    assert [str(c) for c in err.causes] == ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is "
                                            "'ClusterIP'"]
    assert allocator(store).ports.is_allocated(30080) and not allocator(store).ports.is_allocated(30081)


def test_cluster_ip_to_node_port_allocates():
    store = new_store()
    svc = store.create(service())
    np = store.update(replace_spec(svc, type="NodePort"))
    assert np.spec.cluster_ip == svc.spec.cluster_ip and all(node_ports(np))
    assert np.spec.external_traffic_policy == "Cluster"


def test_load_balancer_local_to_cluster_ip_releases_the_health_check_port():
    store = new_store()
    lb = store.create(service(type="LoadBalancer", externalTrafficPolicy="Local"))
    lb = store.update_status(replace(lb, status=replace(lb.status, load_balancer=LoadBalancerStatus(
        ingress=(LoadBalancerIngress(ip="192.168.56.240"),)))))
    back = store.update(replace_spec(lb, type="ClusterIP"))
    spec = back.spec
    assert (spec.health_check_node_port, spec.allocate_load_balancer_node_ports, spec.external_traffic_policy) == (
        None, None, None)
    assert back.status.load_balancer == LoadBalancerStatus()
    assert usage(store) == (1, 0)


def test_cluster_ip_to_load_balancer_local_allocates_a_health_check_port():
    store = new_store()
    svc = store.create(service())
    lb = store.update(replace_spec(svc, type="LoadBalancer", external_traffic_policy="Local"))
    assert lb.spec.health_check_node_port and lb.spec.allocate_load_balancer_node_ports is True
    assert usage(store) == (1, 2)
    cluster = store.update(replace_spec(lb, external_traffic_policy="Cluster"))
    assert cluster.spec.health_check_node_port is None and usage(store) == (1, 1)


def test_changing_a_node_port_reserves_the_new_and_releases_the_old():
    store = new_store()
    svc = store.create(service(type="NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    moved = store.update(replace_spec(svc, ports=(replace(svc.spec.ports[0], node_port=30090),)))
    assert node_ports(moved) == [30090]
    ports = allocator(store).ports
    assert ports.is_allocated(30090) and not ports.is_allocated(30080)


def test_changing_to_a_taken_node_port_keeps_the_old_one():
    store = new_store()
    store.create(service("other", type="NodePort", ports=[{"port": 80, "nodePort": 30090}]))
    svc = store.create(service(type="NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    err = api_error(store.update, replace_spec(svc, ports=(replace(svc.spec.ports[0], node_port=30090),)))
    assert str(err) == kubectl_invalid("web", ["spec.ports[0].nodePort: Invalid value: 30090: "
                                              "provided port is already allocated"])
    assert allocator(store).ports.is_allocated(30080)
    assert store.get("Service", "web") == svc


def test_a_refused_type_change_keeps_the_old_allocations():
    store = new_store()
    svc = store.create(service(type="NodePort", clusterIP="10.96.8.8"))
    before = usage(store)
    # To ExternalName, with a validation error: nothing is released.
    api_error(store.update, replace_spec(svc, type="ExternalName", external_name="bad_name"))
    assert usage(store) == before and allocator(store).ips.is_allocated("10.96.8.8")
    # To headless NodePort: ports were re-examined, then validation refused; nothing leaks.
    api_error(store.update, replace_spec(svc, cluster_ip="None", cluster_ips=("None",)))
    assert usage(store) == before


def test_ports_added_on_update_get_node_ports():
    store = new_store()
    svc = store.create(service(type="NodePort", ports=[{"name": "http", "port": 80}]))
    more = from_dict(Service, {**to_dict(svc), "spec": {**to_dict(svc)["spec"], "ports": [
        to_dict(svc)["spec"]["ports"][0], {"name": "https", "port": 443}]}})
    updated = store.update(more)
    assert node_ports(updated)[0] == node_ports(svc)[0] and updated.spec.ports[1].node_port
    assert usage(store) == (1, 2)
