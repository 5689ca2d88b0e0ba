"""Endpoints and EndpointSlice validation, exactly as kubectl prints it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from api_service_fixtures import api_error, kubectl_invalid, new_store

from k8slab.api.codec import from_dict
from k8slab.api.endpoints import Endpoints
from k8slab.api.endpointslice import EndpointSlice

IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
RANGE = "must be between 1 and 65535, inclusive"
RFC1123_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
                 "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
                 "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def endpoints(*subsets, name="ext"):
    return from_dict(Endpoints, {"metadata": {"name": name}, "subsets": list(subsets)})


def subset(ips=("192.168.3.215",), ports=({"port": 80},), not_ready=()):
    return {"addresses": [{"ip": ip} for ip in ips], "notReadyAddresses": [{"ip": ip} for ip in not_ready],
            "ports": list(ports)}


ENDPOINTS_CASES = [
    ("ip-not-an-ip", [subset(ips=("abc",))], [f'subsets[0].addresses[0].ip: Invalid value: "abc": {IP_MSG}']),
    ("ip-loopback", [subset(ips=("127.0.0.1",))],
     ['subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range '
      "(127.0.0.0/8, ::1/128)"]),
    ("ip-link-local", [subset(ips=("169.254.169.254",))],
     ['subsets[0].addresses[0].ip: Invalid value: "169.254.169.254": may not be in the link-local range '
      "(169.254.0.0/16, fe80::/10)"]),
    ("not-ready-ip", [subset(ips=(), not_ready=("1.2.3",))],
     [f'subsets[0].notReadyAddresses[0].ip: Invalid value: "1.2.3": {IP_MSG}']),
    ("no-addresses", [subset(ips=())], ["subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"]),
    ("port-zero", [subset(ports=({"port": 0},))], [f"subsets[0].ports[0].port: Invalid value: 0: {RANGE}"]),
    ("second-port-unnamed", [subset(ports=({"name": "http", "port": 80}, {"port": 443}))],
     ["subsets[0].ports[1].name: Required value"]),
    ("bad-port-name", [subset(ports=({"name": "HTTP", "port": 80},))],
     [f'subsets[0].ports[0].name: Invalid value: "HTTP": {RFC1123_LABEL}']),
    ("bad-protocol", [subset(ports=({"port": 80, "protocol": "ICMP"},))],
     ['subsets[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']),
    ("second-subset", [subset(), subset(ips=("10.0.0.1", "x"))],
     [f'subsets[1].addresses[1].ip: Invalid value: "x": {IP_MSG}']),
]


@pytest.mark.parametrize("subsets, causes", [c[1:] for c in ENDPOINTS_CASES], ids=[c[0] for c in ENDPOINTS_CASES])
def test_endpoints_are_refused_with_the_apiservers_words(subsets, causes):
    err = api_error(new_store().create, endpoints(*subsets))
    assert str(err) == kubectl_invalid("ext", causes, kind="Endpoints")


def test_valid_endpoints():
    store = new_store()
    store.create(endpoints(subset(ips=("1.1.1.1", "2.2.2.2"), ports=({"port": 8080},)), name="a"))
    store.create(endpoints(subset(ports=({"name": "http", "port": 80}, {"name": "dns", "port": 53,
                                                                        "protocol": "SCTP"})), name="b"))
    store.create(endpoints(subset(ports=()), name="headless"))
    store.create(endpoints(name="empty"))


def test_endpoints_name_is_a_subdomain():
    err = api_error(new_store().create, endpoints(subset(), name="Ext"))
    assert str(err.causes[0]).startswith('metadata.name: Invalid value: "Ext": a lowercase RFC 1123 subdomain')


def eps(address_type="IPv4", endpoints=({"addresses": ["10.244.1.5"]},), ports=({"name": "http", "port": 80},),
        name="web-abcde"):
    data = {"metadata": {"name": name}, "endpoints": list(endpoints), "ports": list(ports)}
    if address_type is not None:
        data["addressType"] = address_type
    return from_dict(EndpointSlice, data)


SLICE_CASES = [
    ("no-address-type", eps(address_type=None), ["addressType: Required value"]),
    ("bad-address-type", eps(address_type="IP"),
     ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']),
    ("too-many-endpoints", eps(endpoints=[{"addresses": ["10.244.1.5"]}] * 1001),
     ["endpoints: Too many: 1001: must have at most 1000 items"]),
    ("no-addresses", eps(endpoints=[{"addresses": []}]),
     ["endpoints[0].addresses: Required value: must contain at least 1 address"]),
    ("too-many-addresses", eps(endpoints=[{"addresses": ["10.244.1.5"] * 101}]),
     ["endpoints[0].addresses: Too many: 101: must have at most 100 items"]),
    ("bad-ipv4", eps(endpoints=[{"addresses": ["10.244.1"]}]),
     ['endpoints[0].addresses[0]: Invalid value: "10.244.1": must be a valid IPv4 address']),
    ("ipv6-in-ipv4-slice", eps(endpoints=[{"addresses": ["fd00::5"]}]),
     ['endpoints[0].addresses[0]: Invalid value: "fd00::5": must be a valid IPv4 address']),
    ("ipv4-in-ipv6-slice", eps(address_type="IPv6", endpoints=[{"addresses": ["10.244.1.5"]}]),
     ['endpoints[0].addresses[0]: Invalid value: "10.244.1.5": must be a valid IPv6 address']),
    ("loopback", eps(endpoints=[{"addresses": ["127.0.0.1"]}]),
     ['endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range '
      "(127.0.0.0/8, ::1/128)"]),
    ("fqdn-one-label", eps(address_type="FQDN", endpoints=[{"addresses": ["db"]}]),
     ['endpoints[0].addresses[0]: Invalid value: "db": should be a domain with at least two segments '
      "separated by dots"]),
    ("bad-hostname", eps(endpoints=[{"addresses": ["10.244.1.5"], "hostname": "Web_1"}]),
     [f'endpoints[0].hostname: Invalid value: "Web_1": {RFC1123_LABEL}']),
    ("too-many-ports", eps(ports=[{"name": f"p{i}", "port": 1000 + i} for i in range(101)]),
     ["ports: Too many: 101: must have at most 100 items"]),
    ("port-zero", eps(ports=[{"name": "http", "port": 0}]), [f"ports[0].port: Invalid value: 0: {RANGE}"]),
    ("bad-port-name", eps(ports=[{"name": "HTTP", "port": 80}]),
     [f'ports[0].name: Invalid value: "HTTP": {RFC1123_LABEL}']),
    ("duplicate-port-name", eps(ports=[{"name": "http", "port": 80}, {"name": "http", "port": 81}]),
     ['ports[1].name: Duplicate value: "http"']),
    ("two-unnamed-ports", eps(ports=[{"port": 80}, {"port": 81}]), ['ports[1].name: Duplicate value: ""']),
    ("bad-protocol", eps(ports=[{"name": "http", "port": 80, "protocol": "ICMP"}]),
     ['ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']),
]


@pytest.mark.parametrize("obj, causes", [c[1:] for c in SLICE_CASES], ids=[c[0] for c in SLICE_CASES])
def test_endpoint_slices_are_refused_with_the_apiservers_words(obj, causes):
    err = api_error(new_store().create, obj)
    assert str(err) == kubectl_invalid("web-abcde", causes, kind="EndpointSlice")


def test_valid_endpoint_slices():
    store = new_store()
    store.create(eps(name="a", endpoints=[{"addresses": ["10.244.1.5"], "conditions": {"ready": True}}] * 1000))
    store.create(eps(name="placeholder", endpoints=(), ports=()))
    store.create(eps(name="fqdn", address_type="FQDN", endpoints=[{"addresses": ["my.database.example.com."]}]))
    store.create(eps(name="v6", address_type="IPv6", endpoints=[{"addresses": ["fd00::5"]}]))
    store.create(eps(name="sctp", ports=[{"name": "s", "port": 9999, "protocol": "SCTP"}]))


def test_address_type_may_not_change():
    store = new_store()
    created = store.create(eps())
    err = api_error(store.update, replace(created, address_type="IPv6", endpoints=()))
    assert str(err) == kubectl_invalid("web-abcde", ['addressType: Invalid value: "IPv6": field is immutable'],
                                       kind="EndpointSlice")
