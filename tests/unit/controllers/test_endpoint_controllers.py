"""Endpoints, EndpointSlice and mirroring computations (pure), per reference section 4."""

from __future__ import annotations

from datetime import datetime, timezone

from k8slab.api.codec import from_dict, to_dict
from k8slab.api.endpoints import Endpoints
from k8slab.api.pod import Pod
from k8slab.api.service import Service
from k8slab.controllers.endpoints import desired_endpoints, desired_subsets
from k8slab.controllers.endpointslices import desired_groups, mirrored_groups, should_mirror
from k8slab.controllers.slices import chunks

NOW = datetime(2026, 11, 22, 10, 0, 0, tzinfo=timezone.utc)


def svc(name="web", selector=None, ports=None, **spec):
    return from_dict(Service, {"apiVersion": "v1", "kind": "Service",
                               "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
                               "spec": {"selector": selector if selector is not None else {"app": "web"},
                                        "ports": ports if ports is not None else [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
                                        **spec}})


def pod(name, ip, ready=True, node="node1", labels=None, ports=(("http", 8080),), deleting=False, phase="Running",
        hostname=None, subdomain=None):
    meta = {"name": name, "namespace": "default", "uid": f"uid-{name}", "labels": labels if labels is not None else {"app": "web"}}
    if deleting:
        meta["deletionTimestamp"] = "2026-11-22T10:00:30Z"
    spec = {"nodeName": node, "containers": [{"name": "c", "image": "nginx",
                                              "ports": [{"name": n, "containerPort": p} for n, p in ports]}]}
    if hostname:
        spec["hostname"], spec["subdomain"] = hostname, subdomain
    status = {"phase": phase, "podIP": ip,
              "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    return from_dict(Pod, {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status})


def test_ready_and_not_ready_addresses_with_named_target_port():
    subsets = desired_subsets(svc(), [pod("a", "10.244.2.5"), pod("b", "10.244.1.9", ready=False),
                                      pod("c", "10.244.1.3"), pod("x", "10.244.3.3", labels={"app": "other"})])
    assert len(subsets) == 1
    s = subsets[0]
    assert [a.ip for a in s.addresses] == ["10.244.1.3", "10.244.2.5"]  # sorted by IP
    assert [a.ip for a in s.not_ready_addresses] == ["10.244.1.9"]
    assert [(p.name, p.port, p.protocol) for p in s.ports] == [("http", 8080, "TCP")]
    assert s.addresses[0].target_ref.name == "c" and s.addresses[0].node_name == "node1"


def test_pods_resolving_a_named_port_differently_get_separate_subsets_and_missing_ones_are_left_out():
    subsets = desired_subsets(svc(), [pod("a", "10.244.1.2"), pod("b", "10.244.1.3", ports=(("http", 9090),)),
                                      pod("c", "10.244.1.4", ports=(("metrics", 9100),))])
    assert sorted((s.ports[0].port, [a.ip for a in s.addresses]) for s in subsets) == [
        (8080, ["10.244.1.2"]), (9090, ["10.244.1.3"])]


def test_terminating_finished_and_ipless_pods_are_not_endpoints_unless_publishing_not_ready():
    pods = [pod("t", "10.244.1.2", deleting=True), pod("f", "10.244.1.3", phase="Succeeded"), pod("n", None)]
    assert desired_subsets(svc(), pods) == ()
    published = desired_subsets(svc(publishNotReadyAddresses=True), pods + [pod("u", "10.244.1.4", ready=False)])
    assert [a.ip for a in published[0].addresses] == ["10.244.1.2", "10.244.1.4"]


def test_endpoints_object_labels_and_headless_hostnames():
    headless = svc("db", clusterIP="None")
    ep = desired_endpoints(headless, [pod("db-0", "10.244.1.2", labels={"app": "web"}, hostname="db-0", subdomain="db")])
    d = to_dict(ep)
    assert d["metadata"]["labels"] == {"app": "web", "service.kubernetes.io/headless": "",
                                       "endpoints.kubernetes.io/managed-by": "endpoint-controller"}
    assert d["subsets"][0]["addresses"][0]["hostname"] == "db-0"


def test_slice_conditions_include_terminating_pods():
    groups = desired_groups(svc(), [pod("a", "10.244.1.2"), pod("t", "10.244.1.3", deleting=True),
                                    pod("u", "10.244.2.3", ready=False, node="node2")], {"node1": None, "node2": "z1"})
    (ports, eps), = groups
    assert [(p.name, p.port, p.protocol) for p in ports] == [("http", 8080, "TCP")]
    conds = {e.addresses[0]: (e.conditions.ready, e.conditions.serving, e.conditions.terminating) for e in eps}
    assert conds == {"10.244.1.2": (True, True, False), "10.244.1.3": (False, True, True),
                     "10.244.2.3": (False, False, False)}
    assert next(e for e in eps if e.addresses[0] == "10.244.2.3").zone == "z1"


def test_placeholder_slice_and_pods_on_missing_nodes():
    assert desired_groups(svc(), [], {"node1": None}) == [((), [])]
    assert desired_groups(svc(), [pod("a", "10.244.9.2", node="gone")], {"node1": None}) == [((), [])]


def test_slices_hold_at_most_100_endpoints():
    assert [len(c) for c in chunks(list(range(250)))] == [100, 100, 50]
    assert chunks([]) == [()]


def test_mirroring_hand_written_endpoints():
    ep = from_dict(Endpoints, {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "external-service", "namespace": "default"},
                               "subsets": [{"addresses": [{"ip": "1.1.1.1"}, {"ip": "2.2.2.2"}],
                                            "notReadyAddresses": [{"ip": "3.3.3.3"}], "ports": [{"port": 8080}]}]})
    (ports, eps), = mirrored_groups(ep)
    assert [(p.name, p.port, p.protocol) for p in ports] == [("", 8080, "TCP")]
    assert [(e.addresses[0], e.conditions.ready) for e in eps] == [("1.1.1.1", True), ("2.2.2.2", True), ("3.3.3.3", False)]
    selectorless = svc("external-service", selector={})
    assert should_mirror(selectorless, ep)
    assert not should_mirror(svc("external-service"), ep)
    skip = from_dict(Endpoints, {**to_dict(ep), "metadata": {**to_dict(ep)["metadata"],
                                                             "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}}})
    assert not should_mirror(selectorless, skip)
