"""Service validation: every row of reference section 3.2, exactly as kubectl prints it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from api_service_fixtures import api_error, kubectl_invalid, manifest, new_store, service, usage

from k8slab.api.codec import from_dict
from k8slab.api.service import Service
from k8slab.api.service_defaults import default_service
from k8slab.api.service_validation import validate_service

DNS1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
           "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
           "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
RFC1123_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
                 "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
                 "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
RFC1123_SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                     "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
                     "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
               "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
               "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
GO_PORT_80 = ('core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, '
              'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')
RANGE_1_65535 = "must be between 1 and 65535, inclusive"
LONG_CNAME = ("a" * 63 + ".") * 4  # 256 characters; 255 once the trailing dot is dropped

TWO_PORTS = [{"name": "http", "port": 80}, {"name": "https", "port": 443}]
IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"

# (case id, Service name, spec, expected causes in order)
CREATE_CASES = [
    ("name-underscore", "My_Svc", {}, [f'metadata.name: Invalid value: "My_Svc": {DNS1035}']),
    ("name-starts-with-digit", "1web", {}, [f'metadata.name: Invalid value: "1web": {DNS1035}']),
    ("name-too-long", "a" * 64, {}, [f'metadata.name: Invalid value: "{"a" * 64}": must be no more than 63 characters']),
    ("no-ports", "web", {"ports": None}, ["spec.ports: Required value"]),
    ("port-zero", "web", {"ports": [{"port": 0, "targetPort": 80}]},
     [f"spec.ports[0].port: Invalid value: 0: {RANGE_1_65535}"]),
    # targetPort defaults to port, so an out-of-range port is reported twice, as on a real cluster.
    ("port-too-big-default-target", "web", {"ports": [{"port": 70000}]},
     [f"spec.ports[0].port: Invalid value: 70000: {RANGE_1_65535}",
      f"spec.ports[0].targetPort: Invalid value: 70000: {RANGE_1_65535}"]),
    ("second-port-unnamed", "web", {"ports": [{"name": "http", "port": 80}, {"port": 443}]},
     ["spec.ports[1].name: Required value"]),
    ("every-port-unnamed", "web", {"ports": [{"port": 80}, {"port": 443}]},
     ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"]),
    ("duplicate-port-name", "web", {"ports": [{"name": "http", "port": 80}, {"name": "http", "port": 8080}]},
     ['spec.ports[1].name: Duplicate value: "http"']),
    ("bad-port-name", "web", {"ports": [{"name": "HTTP", "port": 80}]},
     [f'spec.ports[0].name: Invalid value: "HTTP": {RFC1123_LABEL}']),
    ("duplicate-protocol-port", "web", {"ports": [{"name": "a", "port": 80}, {"name": "b", "port": 80}]},
     [f"spec.ports[1]: Duplicate value: {GO_PORT_80}"]),
    ("bad-protocol", "web", {"ports": [{"port": 80, "protocol": "ICMP"}]},
     ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']),
    ("target-port-too-big", "web", {"ports": [{"port": 80, "targetPort": 70000}]},
     [f"spec.ports[0].targetPort: Invalid value: 70000: {RANGE_1_65535}"]),
    ("target-name-too-long", "web", {"ports": [{"port": 80, "targetPort": "abcdefghijklmnop"}]},
     ['spec.ports[0].targetPort: Invalid value: "abcdefghijklmnop": must be no more than 15 characters']),
    ("target-name-chars", "web", {"ports": [{"port": 80, "targetPort": "http_web"}]},
     ['spec.ports[0].targetPort: Invalid value: "http_web": must contain only alpha-numeric characters '
      "(a-z, 0-9), and hyphens (-)"]),
    ("target-name-no-letter", "web", {"ports": [{"port": 80, "targetPort": "8080"}]},
     ['spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)']),
    ("target-name-double-hyphen", "web", {"ports": [{"port": 80, "targetPort": "http--web"}]},
     ['spec.ports[0].targetPort: Invalid value: "http--web": must not contain consecutive hyphens']),
    ("target-name-edge-hyphen", "web", {"ports": [{"port": 80, "targetPort": "-http"}]},
     ['spec.ports[0].targetPort: Invalid value: "-http": must not begin or end with a hyphen']),
    ("node-port-on-cluster-ip", "web", {"ports": [{"port": 80, "nodePort": 30080}]},
     ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]),
    ("node-port-out-of-range", "web", {"type": "NodePort", "ports": [{"port": 80, "nodePort": 80}]},
     ["spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. "
      "The range of valid ports is 30000-32767"]),
    # Same port number and protocol twice: the nodePort is shared at allocation, then both duplicates show.
    ("duplicate-node-port", "web",
     {"type": "NodePort", "ports": [{"name": "a", "port": 80, "nodePort": 30080},
                                    {"name": "b", "port": 80, "nodePort": 30080}]},
     ["spec.ports[1].nodePort: Duplicate value: 30080", f"spec.ports[1]: Duplicate value: {GO_PORT_80}"]),
    ("cluster-ip-not-an-ip", "web", {"clusterIP": "abc"}, [f'spec.clusterIPs[0]: Invalid value: "abc": {IP_MSG}']),
    ("cluster-ip-out-of-range", "web", {"clusterIP": "1.1.1.1"},
     ['spec.clusterIPs: Invalid value: []string{"1.1.1.1"}: failed to allocate IP 1.1.1.1: the provided IP '
      "(1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"]),
    ("cluster-ip-network-address", "web", {"clusterIP": "10.96.0.0"},
     ['spec.clusterIPs: Invalid value: []string{"10.96.0.0"}: failed to allocate IP 10.96.0.0: the provided IP '
      "(10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12"]),
    ("cluster-ips-mismatch", "web", {"clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.6"]},
     ['spec.clusterIPs: Invalid value: []string{"10.96.0.6"}: first value must match `clusterIP`']),
    ("cluster-ip-ipv6", "web", {"clusterIP": "fd00::10"},
     ['spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is not configured on this cluster']),
    ("headless-node-port", "web", {"type": "NodePort", "clusterIP": "None"},
     ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]),
    ("headless-load-balancer", "web", {"type": "LoadBalancer", "clusterIP": "None"},
     ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services"]),
    ("external-name-with-cluster-ip", "web",
     {"type": "ExternalName", "externalName": "db.example.com", "clusterIP": "10.96.0.5"},
     ["spec.clusterIPs: Forbidden: may not be set for ExternalName services"]),
    ("external-name-with-families", "web",
     {"type": "ExternalName", "externalName": "db.example.com", "ipFamilies": ["IPv4"],
      "ipFamilyPolicy": "SingleStack"},
     ["spec.ipFamilies: Forbidden: may not be set for ExternalName services",
      "spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services"]),
    ("external-name-missing", "web", {"type": "ExternalName"}, ["spec.externalName: Required value"]),
    ("external-name-invalid", "web", {"type": "ExternalName", "externalName": "my_host"},
     [f'spec.externalName: Invalid value: "my_host": {RFC1123_SUBDOMAIN}']),
    ("external-name-too-long", "web", {"type": "ExternalName", "externalName": LONG_CNAME},
     [f'spec.externalName: Invalid value: "{LONG_CNAME[:-1]}": must be no more than 253 characters']),
    ("bad-type", "web", {"type": "Foo"},
     ['spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", '
      '"NodePort"']),
    ("bad-affinity", "web", {"sessionAffinity": "Sticky"},
     ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']),
    ("affinity-timeout-zero", "web",
     {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 0}}},
     ["spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less "
      "than 86400"]),
    ("affinity-timeout-above-max", "web",
     {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 86401}}},
     ["spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less "
      "than 86400"]),
    ("etp-on-cluster-ip", "web", {"externalTrafficPolicy": "Local"},
     ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services']),
    ("etp-on-external-name", "web",
     {"type": "ExternalName", "externalName": "db.example.com", "externalTrafficPolicy": "Local"},
     ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services']),
    ("health-check-port-on-node-port", "web", {"type": "NodePort", "healthCheckNodePort": 30001},
     ["spec.healthCheckNodePort: Invalid value: 30001: may only be set when `type` is 'LoadBalancer' and "
      "`externalTrafficPolicy` is 'Local'"]),
    ("health-check-port-on-lb-cluster", "web", {"type": "LoadBalancer", "healthCheckNodePort": 30001},
     ["spec.healthCheckNodePort: Invalid value: 30001: may only be set when `type` is 'LoadBalancer' and "
      "`externalTrafficPolicy` is 'Local'"]),
    ("source-ranges-on-cluster-ip", "web", {"loadBalancerSourceRanges": ["10.0.0.0/8"]},
     ["spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"]),
    ("bad-internal-traffic-policy", "web", {"internalTrafficPolicy": "Foo"},
     ['spec.internalTrafficPolicy: Unsupported value: "Foo": supported values: "Cluster", "Local"']),
    ("bad-selector-value", "web", {"selector": {"app": "my app"}},
     [f'spec.selector: Invalid value: "my app": {LABEL_VALUE}']),
    ("external-ip-not-an-ip", "web", {"externalIPs": ["abc"]}, [f'spec.externalIPs[0]: Invalid value: "abc": {IP_MSG}']),
    ("external-ip-loopback", "web", {"externalIPs": ["127.0.0.1"]},
     ['spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']),
    ("allocate-lb-node-ports-on-node-port", "web", {"type": "NodePort", "allocateLoadBalancerNodePorts": False},
     ["spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"]),
    ("bad-app-protocol", "web", {"ports": [{"port": 80, "appProtocol": "-h2"}]},
     ['spec.ports[0].appProtocol: Invalid value: "-h2": name part must consist of alphanumeric characters, '
      "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
      "or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]),
]


@pytest.mark.parametrize("name, spec, causes", [c[1:] for c in CREATE_CASES], ids=[c[0] for c in CREATE_CASES])
def test_create_is_refused_with_the_apiservers_words(name, spec, causes):
    store = new_store()
    before = usage(store)
    err = api_error(store.create, from_dict(Service, manifest(name, **spec)))
    assert err.reason == "Invalid" and err.code == 422
    assert str(err) == kubectl_invalid(name, causes)
    assert [str(c) for c in err.causes] == causes
    assert usage(store) == before  # whatever was reserved before the refusal is given back
    assert store.try_get("Service", name) is None


VALID_SPECS = [
    ("sctp", {"ports": [{"port": 9999, "protocol": "SCTP"}]}),
    ("udp", {"ports": [{"port": 53, "protocol": "UDP"}]}),
    ("same-port-two-protocols", {"ports": [{"name": "dns", "port": 53, "protocol": "UDP"},
                                           {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]}),
    ("same-node-port-two-protocols", {"type": "NodePort", "ports": [
        {"name": "dns", "port": 53, "protocol": "UDP", "nodePort": 30053},
        {"name": "dns-tcp", "port": 53, "protocol": "TCP", "nodePort": 30053}]}),
    ("affinity-timeout-max", {"sessionAffinity": "ClientIP",
                              "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 86400}}}),
    ("headless-without-ports", {"clusterIP": "None", "ports": None, "selector": {"app": "db"}}),
    ("external-name-without-ports", {"type": "ExternalName", "externalName": "my.database.example.com",
                                     "ports": None}),
    ("external-name-trailing-dot", {"type": "ExternalName", "externalName": "my.database.example.com."}),
    ("headless-target-port-differs", {"clusterIP": "None", "ports": [{"port": 80, "targetPort": 8080}]}),
    ("named-target-port", {"ports": [{"port": 80, "targetPort": "http-web-svc"}]}),
    ("lb-source-ranges", {"type": "LoadBalancer", "loadBalancerSourceRanges": [" 10.0.0.0/8", "192.168.0.0/16"]}),
    ("lb-local", {"type": "LoadBalancer", "externalTrafficPolicy": "Local"}),
    ("cluster-ip-in-static-band", {"clusterIP": "10.96.0.20"}),
    ("cluster-ip-last-address", {"clusterIP": "10.111.255.254"}),
    ("external-ips", {"externalIPs": ["192.168.1.50"]}),
    ("two-named-ports", {"ports": TWO_PORTS}),
]


@pytest.mark.parametrize("spec", [c[1] for c in VALID_SPECS], ids=[c[0] for c in VALID_SPECS])
def test_valid_services_are_created(spec):
    store = new_store()
    created = store.create(service("ok", **spec))
    assert store.get("Service", "ok") == created


def test_out_of_range_timeouts_below_zero():
    err = api_error(new_store().create, service(sessionAffinity="ClientIP",
                                                sessionAffinityConfig={"clientIP": {"timeoutSeconds": -1}}))
    assert str(err.causes[0]).endswith("Invalid value: -1: must be greater than 0 and less than 86400")


def test_an_allocation_failure_is_reported_alone():
    # The bad clusterIP fails allocation, which runs before validation: the bad port is not mentioned.
    err = api_error(new_store().create, service(clusterIP="1.1.1.1", ports=[{"port": 0}]))
    assert len(err.causes) == 1 and str(err.causes[0]).startswith("spec.clusterIPs: Invalid value")


def test_all_field_errors_come_together():
    err = api_error(new_store().create, service(
        "web", type="Foo", sessionAffinity="Sticky", ports=[{"port": 80}, {"port": 80, "protocol": "ICMP"}]))
    assert str(err) == kubectl_invalid("web", [
        "spec.ports[0].name: Required value",
        "spec.ports[1].name: Required value",
        'spec.ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
        'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", '
        '"NodePort"',
    ])


def test_affinity_config_with_none_is_forbidden_before_defaulting():
    # v1 defaulting nils the config, so only an undefaulted object shows this one.
    svc = service(sessionAffinity="None", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 10}})
    svc = replace(svc, metadata=replace(svc.metadata, namespace="default"))
    raw = [str(e) for e in validate_service(svc)]
    assert "spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None" in raw
    assert default_service(svc).spec.session_affinity_config is None


def test_duplicate_node_ports_on_different_port_numbers_in_the_validator():
    # On create the allocator refuses the second reservation first; the validator's own rule still exists.
    svc = default_service(service(type="NodePort", ports=[{"name": "a", "port": 80, "nodePort": 30080},
                                                          {"name": "b", "port": 81, "nodePort": 30080}]))
    svc = replace(svc, metadata=replace(svc.metadata, namespace="default"))
    assert [str(e) for e in validate_service(svc)] == ["spec.ports[1].nodePort: Duplicate value: 30080"]
    err = api_error(new_store().create, svc)
    assert [str(c) for c in err.causes] == [
        "spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated"]


def test_generate_name_is_checked_as_a_dns1035_prefix():
    svc = from_dict(Service, {"metadata": {"generateName": "1web-"}, "spec": {"ports": [{"port": 80}]}})
    err = api_error(new_store().create, svc)
    assert str(err.causes[0]) == f'metadata.generateName: Invalid value: "1web-": {DNS1035}'
    created = new_store().create(from_dict(Service, {"metadata": {"generateName": "web-"},
                                                     "spec": {"ports": [{"port": 80}]}}))
    assert created.metadata.name.startswith("web-")


# The emulated cluster is single-stack IPv4: what asks for more is refused before any allocation.
FAMILY_CASES = [
    ("ipv6-family", {"ipFamilies": ["IPv6"]},
     ['spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster']),
    ("require-dual-stack", {"ipFamilyPolicy": "RequireDualStack"},
     ['spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack '
      "services"]),
    ("bad-policy", {"ipFamilyPolicy": "Bogus"},
     ['spec.ipFamilyPolicy: Unsupported value: "Bogus": supported values: "PreferDualStack", "RequireDualStack", '
      '"SingleStack"']),
    ("duplicate-family", {"ipFamilies": ["IPv4", "IPv4"]}, ['spec.ipFamilies[1]: Duplicate value: "IPv4"']),
    ("bad-family", {"ipFamilies": ["IPv5"]},
     ['spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"']),
]


@pytest.mark.parametrize("spec, causes", [c[1:] for c in FAMILY_CASES], ids=[c[0] for c in FAMILY_CASES])
def test_ip_family_requests_a_single_stack_cluster_refuses(spec, causes):
    store = new_store()
    err = api_error(store.create, service(**spec))
    assert [str(c) for c in err.causes] == causes
    assert usage(store) == (0, 0)


def test_prefer_dual_stack_stays_single_on_a_single_stack_cluster():
    svc = new_store().create(service(ipFamilyPolicy="PreferDualStack"))
    assert (svc.spec.ip_family_policy, svc.spec.ip_families) == ("PreferDualStack", ("IPv4",))
