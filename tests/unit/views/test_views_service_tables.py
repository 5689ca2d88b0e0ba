"""`kubectl get services|endpoints|endpointslices` and `kubectl get all`: every cell rule, exact spacing."""

from __future__ import annotations

import pytest
from service_samples import (address, endpoint, endpoint_slice, endpoints, kubernetes_service, service,
                             slice_port)
from views_samples import NOW, nginx_pod

from k8slab.views.tables import render_all, render_all_tables, render_table
from k8slab.views.tables_service import (endpoints_deprecation_warning, format_endpoints,
                                         format_slice_endpoints, format_slice_ports, service_external_ip)

HTTP = {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}


def lb(name: str, ingress=None, node_port: int = 31234, **spec) -> dict:
    return service(name, type_="LoadBalancer", cluster_ip="10.96.7.8", ingress=ingress,
                   ports=(dict(HTTP, nodePort=node_port),), **spec)


def every_type() -> list:
    return [
        kubernetes_service(),
        service("web", type_="NodePort", ports=(dict(HTTP, nodePort=30080),)),
        service("db", cluster_ip="None", created="2026-11-22T10:04:15Z",
                ports=({"port": 5432, "protocol": "TCP", "targetPort": 5432},)),
        service("ext", type_="ExternalName", cluster_ip=None, ports=(), selector={},
                externalName="foo.example.com", created="2026-11-22T10:04:50Z"),
        service("lb", type_="LoadBalancer", cluster_ip="10.96.7.8", created="2026-11-22T07:05:00Z",
                ports=({"port": 80, "protocol": "TCP", "targetPort": 80, "nodePort": 31234},)),
    ]


def test_get_services_of_every_type():
    # The example of reference section 6.2, byte for byte.
    assert render_table("Service", every_type(), now=NOW) == (
        "NAME         TYPE           CLUSTER-IP     EXTERNAL-IP       PORT(S)        AGE\n"
        "kubernetes   ClusterIP      10.96.0.1      <none>            443/TCP        5d\n"
        "web          NodePort       10.96.100.10   <none>            80:30080/TCP   2m5s\n"
        "db           ClusterIP      None           <none>            5432/TCP       45s\n"
        "ext          ExternalName   <none>         foo.example.com   <none>         10s\n"
        "lb           LoadBalancer   10.96.7.8      <pending>         80:31234/TCP   3h\n"
    )


def test_get_services_wide_adds_the_selector():
    assert render_table("Service", every_type(), now=NOW, wide=True) == (
        "NAME         TYPE           CLUSTER-IP     EXTERNAL-IP       PORT(S)        AGE    SELECTOR\n"
        "kubernetes   ClusterIP      10.96.0.1      <none>            443/TCP        5d     <none>\n"
        "web          NodePort       10.96.100.10   <none>            80:30080/TCP   2m5s   app=web\n"
        "db           ClusterIP      None           <none>            5432/TCP       45s    app=db\n"
        "ext          ExternalName   <none>         foo.example.com   <none>         10s    <none>\n"
        "lb           LoadBalancer   10.96.7.8      <pending>         80:31234/TCP   3h     app=lb\n"
    )


def load_balancers() -> list:
    return [
        lb("lb-vip", [{"ip": "192.168.1.240", "ipMode": "VIP"}]),
        lb("lb-two", [{"ip": "192.168.1.241"}, {"ip": "192.168.1.240"}, {"ip": "192.168.1.241"}]),
        lb("lb-host", [{"hostname": "lb.example.com"}]),
        lb("lb-ext", [{"ip": "192.168.1.242"}], externalIPs=["203.0.113.10"]),
        lb("lb-ext-pending", externalIPs=["203.0.113.11"]),
    ]


def test_load_balancer_external_ip_is_clipped_to_16_bytes_without_wide():
    # Ingress IPs are sorted and de-duplicated; externalIPs follow them; with externalIPs set a
    # Service without ingress shows those instead of <pending>.
    assert render_table("Service", load_balancers(), now=NOW) == (
        "NAME             TYPE           CLUSTER-IP   EXTERNAL-IP                  PORT(S)        AGE\n"
        "lb-vip           LoadBalancer   10.96.7.8    192.168.1.240                80:31234/TCP   2m5s\n"
        "lb-two           LoadBalancer   10.96.7.8    192.168.1.240...             80:31234/TCP   2m5s\n"
        "lb-host          LoadBalancer   10.96.7.8    lb.example.com               80:31234/TCP   2m5s\n"
        "lb-ext           LoadBalancer   10.96.7.8    192.168.1.242,203.0.113.10   80:31234/TCP   2m5s\n"
        "lb-ext-pending   LoadBalancer   10.96.7.8    203.0.113.11                 80:31234/TCP   2m5s\n"
    )


def test_load_balancer_external_ip_is_whole_with_wide():
    out = render_table("Service", load_balancers()[1:2], now=NOW, wide=True)
    assert out.splitlines()[1] == (
        "lb-two   LoadBalancer   10.96.7.8    192.168.1.240,192.168.1.241   80:31234/TCP   2m5s   app=lb-two")


def test_clipping_also_applies_when_external_ips_follow():
    svc = lb("x", [{"ip": "192.168.1.241"}, {"ip": "192.168.1.240"}], externalIPs=["203.0.113.10"])
    assert service_external_ip(svc) == "192.168.1.240...,203.0.113.10"
    assert service_external_ip(svc, wide=True) == "192.168.1.240,192.168.1.241,203.0.113.10"


def test_external_ips_and_multiple_ports():
    both = ({"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
            {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443})
    svcs = [
        service("multi", ports=both, externalIPs=["203.0.113.10", "203.0.113.11"]),
        service("np", type_="NodePort", cluster_ip="10.96.20.2",
                ports=(dict(both[0], nodePort=30080), dict(both[1], nodePort=30443)), externalIPs=["203.0.113.12"]),
        service("dns", cluster_ip="10.96.0.10", ports=(
            {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53})),
        service("noports", cluster_ip="None", ports=()),
    ]
    assert render_table("Service", svcs, now=NOW) == (
        "NAME      TYPE        CLUSTER-IP     EXTERNAL-IP                 PORT(S)                      AGE\n"
        "multi     ClusterIP   10.96.100.10   203.0.113.10,203.0.113.11   80/TCP,443/TCP               2m5s\n"
        "np        NodePort    10.96.20.2     203.0.113.12                80:30080/TCP,443:30443/TCP   2m5s\n"
        "dns       ClusterIP   10.96.0.10     <none>                      53/UDP,53/TCP                2m5s\n"
        "noports   ClusterIP   None           <none>                      <none>                       2m5s\n"
    )


def test_services_all_namespaces_with_kind():
    out = render_table("Service", [kubernetes_service()], now=NOW, all_namespaces=True, with_kind=True)
    assert out == (
        "NAMESPACE   NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
        "default     service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   5d\n"
    )


# --- Endpoints --------------------------------------------------------------------------------

PORT_8080 = [{"port": 8080, "protocol": "TCP"}]


def test_get_endpoints():
    eps = [
        endpoints("kubernetes", [{"addresses": [{"ip": "172.18.0.2"}],
                                  "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}],
                  created="2026-11-17T10:05:00Z"),
        endpoints("web", [{"addresses": [address("10.244.1.5", "web-a"), address("10.244.2.6", "web-b", "node2")],
                           "ports": PORT_8080}]),
        endpoints("starting", [{"notReadyAddresses": [address("10.244.1.7", "starting-a")], "ports": PORT_8080}]),
        endpoints("mixed", [{"addresses": [address("10.244.1.5", "mixed-a")],
                             "notReadyAddresses": [address("10.244.2.6", "mixed-b", "node2")],
                             "ports": PORT_8080}]),
        endpoints("nomatch", None),
        endpoints("db", [{"addresses": [address("10.244.1.5", "db-0"), address("10.244.2.6", "db-1", "node2")]}]),
    ]
    # Only ready addresses count: a subset holding only not-ready ones leaves the cell blank,
    # an Endpoints without subsets reads <none>, a headless Service without ports bare IPs.
    assert render_table("Endpoints", eps, now=NOW) == (
        "NAME         ENDPOINTS                         AGE\n"
        "kubernetes   172.18.0.2:6443                   5d\n"
        "web          10.244.1.5:8080,10.244.2.6:8080   2m5s\n"
        "starting                                       2m5s\n"
        "mixed        10.244.1.5:8080                   2m5s\n"
        "nomatch      <none>                            2m5s\n"
        "db           10.244.1.5,10.244.2.6             2m5s\n"
    )


def test_endpoints_beyond_three_say_how_many_more():
    many = endpoints("web", [{"addresses": [address(f"10.244.{i}.5", f"web-{i}") for i in range(1, 6)],
                              "ports": PORT_8080}])
    assert format_endpoints(many) == "10.244.1.5:8080,10.244.2.5:8080,10.244.3.5:8080 + 2 more..."
    three = endpoints("web", [{"addresses": [address(f"10.244.{i}.5", f"web-{i}") for i in range(1, 4)],
                               "ports": PORT_8080}])
    assert format_endpoints(three) == "10.244.1.5:8080,10.244.2.5:8080,10.244.3.5:8080"


def test_endpoints_iterate_subset_then_port_then_address():
    two_ports = [{"name": "http", "port": 80, "protocol": "TCP"}, {"name": "https", "port": 443, "protocol": "TCP"}]
    ep = endpoints("web", [
        {"addresses": [address("10.244.1.5", "a"), address("10.244.2.6", "b")], "ports": two_ports},
        {"addresses": [address("10.244.3.7", "c")], "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]},
    ])
    assert format_endpoints(ep) == "10.244.1.5:80,10.244.2.6:80,10.244.1.5:443 + 2 more..."
    assert format_endpoints(ep, ["https"]) == "10.244.1.5:443,10.244.2.6:443"


def test_endpoints_with_ipv6_addresses_are_bracketed():
    ep = endpoints("web6", [{"addresses": [address("fd00:10:244:1::5", "a")], "ports": PORT_8080}])
    assert format_endpoints(ep) == "[fd00:10:244:1::5]:8080"
    bare = endpoints("db6", [{"addresses": [address("fd00:10:244:1::5", "a")]}])
    assert format_endpoints(bare) == "fd00:10:244:1::5"


def test_endpoints_with_empty_subsets_list_read_none():
    assert format_endpoints(endpoints("web", [])) == "<none>"


def test_endpoints_deprecation_warning():
    assert endpoints_deprecation_warning() == (
        "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n")


# --- EndpointSlice ----------------------------------------------------------------------------

def test_get_endpointslices():
    web = endpoint_slice("web-x7k2p", "web", [
        endpoint("10.244.1.5", "web-a"), endpoint("10.244.2.6", "web-b", node="node2", ready=False),
        endpoint("10.244.3.7", "web-c", node="node3"), endpoint("10.244.1.8", "web-d", ready=False, terminating=True),
    ], [slice_port(8080)], created="2026-11-22T10:03:00Z")
    placeholder = endpoint_slice("db-9zq4c", "db", [], [], created="2026-11-22T10:04:15Z")
    # The example of reference section 6.2: readiness does not matter in this column.
    assert render_table("EndpointSlice", [web, placeholder], now=NOW) == (
        "NAME        ADDRESSTYPE   PORTS     ENDPOINTS                                      AGE\n"
        "web-x7k2p   IPv4          8080      10.244.1.5,10.244.2.6,10.244.3.7 + 1 more...   2m\n"
        "db-9zq4c    IPv4          <unset>   <unset>                                        45s\n"
    )


def test_endpointslice_ports_column():
    assert format_slice_ports([slice_port(80, "http"), slice_port(443, "https")]) == "80,443"
    four = [slice_port(p) for p in (80, 443, 8080, 9090)]
    assert format_slice_ports(four) == "80,443,8080 + 1 more..."
    # A port without a number shows its name, and one with neither a `*`.
    assert format_slice_ports([{"name": "http", "protocol": "TCP"}, {"protocol": "TCP"}]) == "http,*"
    assert format_slice_ports([]) == "<unset>"


def test_endpointslice_endpoints_column_counts_every_address():
    eps = [{"addresses": ["10.0.0.1", "10.0.0.2"], "conditions": {}},
           {"addresses": ["10.0.0.3", "10.0.0.4", "10.0.0.5"], "conditions": {"ready": False}}]
    assert format_slice_endpoints(eps) == "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more..."
    assert format_slice_endpoints(eps[:1]) == "10.0.0.1,10.0.0.2"


def test_endpointslice_ipv6_addresses_are_not_bracketed():
    v6 = endpoint_slice("web6-abcde", "web6", [endpoint("fd00:10:244:1::5", "a")], [slice_port(8080)],
                        address_type="IPv6")
    assert render_table("EndpointSlice", [v6], now=NOW).splitlines()[1] == (
        "web6-abcde   IPv6          8080    fd00:10:244:1::5   2m")


# --- get all ----------------------------------------------------------------------------------

def test_get_all_prints_pods_then_services_with_kind_names():
    web = service("web", type_="NodePort", ports=(dict(HTTP, nodePort=30080),))
    sections = [("Service", [kubernetes_service(), web]), ("Deployment", []), ("Pod", [nginx_pod()])]
    assert render_all(sections, now=NOW) == (
        "NAME        READY   STATUS    RESTARTS   AGE\n"
        "pod/nginx   1/1     Running   0          5m\n"
        "\n"
        "NAME                 TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)        AGE\n"
        "service/kubernetes   ClusterIP   10.96.0.1      <none>        443/TCP        5d\n"
        "service/web          NodePort    10.96.100.10   <none>        80:30080/TCP   2m5s\n"
    )


def test_get_all_with_only_services_still_names_the_kind():
    assert render_all([("Pod", []), ("Service", [kubernetes_service()])], now=NOW) == (
        "NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
        "service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   5d\n"
    )
    assert render_all([("Pod", [])], now=NOW) == ""


def test_get_all_wide_all_namespaces_and_labels_reach_every_table():
    out = render_all([("Service", [kubernetes_service()]), ("Pod", [nginx_pod()])], now=NOW, wide=True,
                     all_namespaces=True, show_labels=True)
    pods, services = out.split("\n\n")
    assert pods.splitlines()[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP",
                                           "NODE", "NOMINATED", "NODE", "READINESS", "GATES", "LABELS"]
    assert services.splitlines()[1].split() == [
        "default", "service/kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP", "5d", "<none>",
        "component=apiserver,provider=kubernetes"]


@pytest.mark.parametrize("no_headers, separator", [(False, "\n"), (True, "")])
def test_get_all_separator_follows_headers(no_headers, separator):
    out = render_all([("Pod", [nginx_pod()]), ("Service", [kubernetes_service()])], now=NOW,
                     no_headers=no_headers)
    first, second = render_all_tables([("Pod", [nginx_pod()]), ("Service", [kubernetes_service()])], now=NOW,
                                      no_headers=no_headers)
    assert out == first + separator + second
    assert second.startswith("service/kubernetes" if no_headers else "NAME")


def test_get_all_orders_kinds_as_discovery_does():
    def obj(kind: str, api_version: str) -> dict:
        return {"apiVersion": api_version, "kind": kind,
                "metadata": {"name": "x", "namespace": "default", "creationTimestamp": "2026-11-22T10:00:00Z"}}
    kinds = [("Job", "batch/v1"), ("CronJob", "batch/v1"), ("StatefulSet", "apps/v1"), ("ReplicaSet", "apps/v1"),
             ("Deployment", "apps/v1"), ("DaemonSet", "apps/v1"), ("Service", "v1"), ("Pod", "v1")]
    tables = render_all_tables([(k, [obj(k, v)]) for k, v in kinds], now=NOW, no_headers=True)
    assert [t.split()[0] for t in tables] == [
        "pod/x", "service/x", "daemonset.apps/x", "deployment.apps/x", "replicaset.apps/x",
        "statefulset.apps/x", "cronjob.batch/x", "job.batch/x"]
