"""Service, Endpoints and EndpointSlice defaults, as `kubectl get -o yaml` shows them after creation."""

from __future__ import annotations

import pytest
from api_service_fixtures import manifest, new_store, service

from k8slab.api.codec import from_dict, to_dict
from k8slab.api.defaults import apply_defaults
from k8slab.api.endpoints import Endpoints
from k8slab.api.endpointslice import EndpointSlice
from k8slab.api.service import Service


def stored_spec(**spec):
    """The spec of the Service as the store keeps it (defaulted and allocated, seeded allocator)."""
    return to_dict(new_store().create(service(**spec)))["spec"]


def test_a_minimal_service_gets_every_default():
    spec = stored_spec(selector={"app": "web"}, ports=[{"port": 80}])
    ip = spec["clusterIP"]
    assert spec == {
        "clusterIP": ip,
        "clusterIPs": [ip],
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
        "selector": {"app": "web"},
        "sessionAffinity": "None",
        "type": "ClusterIP",
    }


def test_status_is_always_an_empty_load_balancer():
    svc = from_dict(Service, {**manifest(type="LoadBalancer"),
                              "status": {"loadBalancer": {"ingress": [{"ip": "146.148.47.155"}]}}})
    assert to_dict(new_store().create(svc))["status"] == {"loadBalancer": {}}


@pytest.mark.parametrize("target, expected", [(None, 8080), (0, 8080), ("", 8080), (9376, 9376), ("http", "http")])
def test_target_port_defaults_to_port(target, expected):
    port = {"port": 8080} if target is None else {"port": 8080, "targetPort": target}
    assert apply_defaults(service(ports=[port])).spec.ports[0].target_port == expected


@pytest.mark.parametrize("protocol, expected", [(None, "TCP"), ("UDP", "UDP"), ("SCTP", "SCTP")])
def test_port_protocol_defaults_to_tcp(protocol, expected):
    port = {"port": 53} if protocol is None else {"port": 53, "protocol": protocol}
    assert apply_defaults(service(ports=[port])).spec.ports[0].protocol == expected


def test_node_port_defaults():
    spec = stored_spec(type="NodePort")
    assert spec["externalTrafficPolicy"] == "Cluster"
    assert spec["internalTrafficPolicy"] == "Cluster"
    assert "allocateLoadBalancerNodePorts" not in spec
    assert 30000 <= spec["ports"][0]["nodePort"] <= 32767


def test_load_balancer_defaults():
    spec = stored_spec(type="LoadBalancer")
    assert spec["allocateLoadBalancerNodePorts"] is True
    assert spec["externalTrafficPolicy"] == "Cluster"
    assert "healthCheckNodePort" not in spec


def test_cluster_ip_with_external_ips_gets_a_traffic_policy():
    assert stored_spec(externalIPs=["192.168.1.50"])["externalTrafficPolicy"] == "Cluster"
    assert "externalTrafficPolicy" not in stored_spec()


def test_client_ip_affinity_gets_the_three_hour_timeout():
    spec = stored_spec(sessionAffinity="ClientIP")
    assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    spec = stored_spec(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}})
    assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 60}}


def test_affinity_config_is_dropped_for_none():
    spec = stored_spec(sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}})
    assert spec["sessionAffinity"] == "None" and "sessionAffinityConfig" not in spec


def test_external_name_gets_no_ip_fields():
    spec = stored_spec(type="ExternalName", externalName="my.database.example.com")
    assert spec == {"externalName": "my.database.example.com", "ports": [{"port": 80, "protocol": "TCP",
                                                                          "targetPort": 80}],
                    "sessionAffinity": "None", "type": "ExternalName"}


def test_headless_with_selector_is_single_stack():
    spec = stored_spec(clusterIP="None", selector={"app": "db"})
    assert (spec["clusterIP"], spec["clusterIPs"]) == ("None", ["None"])
    assert (spec["ipFamilyPolicy"], spec["ipFamilies"]) == ("SingleStack", ["IPv4"])


def test_headless_selectorless_defaults_to_dual_stack_families():
    # As a real single-stack cluster does: RequireDualStack with both families, no addresses either way.
    spec = stored_spec(clusterIP="None")
    assert (spec["ipFamilyPolicy"], spec["ipFamilies"]) == ("RequireDualStack", ["IPv4", "IPv6"])


def test_cluster_ips_follow_cluster_ip_and_back():
    assert stored_spec(clusterIP="10.96.0.20")["clusterIPs"] == ["10.96.0.20"]
    assert stored_spec(clusterIPs=["10.96.0.21"])["clusterIP"] == "10.96.0.21"


def test_defaults_are_idempotent():
    for spec in ({}, {"type": "NodePort"}, {"type": "LoadBalancer", "externalTrafficPolicy": "Local"},
                 {"sessionAffinity": "ClientIP"}, {"clusterIP": "None"},
                 {"type": "ExternalName", "externalName": "a.example.com"}):
        once = apply_defaults(service(**spec))
        assert apply_defaults(once) == once


def test_endpoints_ports_default_to_tcp():
    ep = from_dict(Endpoints, {"metadata": {"name": "web"}, "subsets": [
        {"addresses": [{"ip": "192.168.3.215"}], "ports": [{"port": 80}, {"name": "q", "port": 81,
                                                                          "protocol": "UDP"}]}]})
    assert [p.protocol for p in apply_defaults(ep).subsets[0].ports] == ["TCP", "UDP"]


def test_endpoint_slice_ports_default_to_tcp_and_conditions_stay_as_written():
    eps = from_dict(EndpointSlice, {"metadata": {"name": "web-abc"}, "addressType": "IPv4",
                                    "endpoints": [{"addresses": ["10.244.1.5"]},
                                                  {"addresses": ["10.244.1.6"], "conditions": {"ready": False}}],
                                    "ports": [{"name": "http", "port": 80}]})
    out = apply_defaults(eps)
    assert out.ports[0].protocol == "TCP"
    assert out.ports[0].name == "http"
    assert [e.conditions for e in out.endpoints] == [e.conditions for e in eps.endpoints]
    assert to_dict(out)["endpoints"][0]["conditions"] == {}
