"""DnsState's JSON round trip (the control socket's format) and the model's defaults."""

from __future__ import annotations

import json

import pytest

from k8slab.dns.model import DnsConfig, DnsState, EndpointInfo, ServiceInfo, ServicePortInfo
from test_dns_records import STATE


def test_round_trip_is_exact():
    back = DnsState.from_json(STATE.to_json())
    assert back == STATE
    assert isinstance(back.services[0].ports, tuple) and isinstance(back.services[0].endpoints[0].ports, tuple)
    assert back.external["ext.interwebs.test"] == ("198.51.100.7",)


def test_json_is_plain_and_stable():
    raw = json.loads(STATE.to_json())
    assert raw["namespaces"] == ["default", "kube-system", "testns"]
    assert raw["serial"] == STATE.serial
    hdls = next(s for s in raw["services"] if s["name"] == "hdls1")
    assert hdls["cluster_ip"] == "None" and hdls["endpoints"][4] == {
        "ip": "10.244.2.6", "hostname": None, "ready": False, "ports": [{"name": "http", "protocol": "TCP", "port": 80}]}
    assert STATE.to_json() == DnsState.from_json(STATE.to_json()).to_json()


def test_minimal_state_round_trips():
    svc = ServiceInfo("default", "db", "ExternalName", None, "db.example.com", ())
    state = DnsState(services=(svc,), namespaces=frozenset({"default"}), external={})
    back = DnsState.from_json(state.to_json())
    assert back == state and back.external_cnames == {} and back.serial == 0
    assert back.services[0].endpoints == ()


@pytest.mark.parametrize("text", ["[]", "{}", '{"services": [{"name": "x"}], "namespaces": []}', '{"services": 3}'])
def test_malformed_state_is_a_value_error(text):
    with pytest.raises(ValueError):
        DnsState.from_json(text)


def test_not_json_is_a_value_error():
    with pytest.raises(ValueError):
        DnsState.from_json("not json")


def test_defaults_and_frozen():
    config = DnsConfig()
    assert (config.zone, config.ttl, config.external_ttl, config.cache_ttl) == ("cluster.local", 30, 30, 0)
    port = ServicePortInfo("", "TCP", 80)
    with pytest.raises(AttributeError):
        port.port = 81
    assert ServiceInfo("d", "h", "ClusterIP", "None", None, ()).headless
    assert not ServiceInfo("d", "c", "ClusterIP", "10.96.0.5", None, ()).headless
    assert EndpointInfo("10.244.1.1", None, True, ()).hostname is None
