"""`kubectl describe service|endpoints|endpointslice` goldens, line by line (trailing spaces matter)."""

from __future__ import annotations

from service_samples import address, endpoint, endpoint_slice, endpoints, service, slice_port
from views_samples import NOW, event

from k8slab.views.describe_service import (describe_endpoints, describe_endpointslice, describe_service,
                                           format_endpoint_slices)


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


HTTP = {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}


def web() -> dict:
    return service("web", type_="NodePort", ports=(dict(HTTP, nodePort=30080),))


def web_slice(*eps: dict, name: str = "web-x7k2p", port: int = 8080) -> dict:
    return endpoint_slice(name, "web", eps, [slice_port(port, "http")])


WEB_HEAD = (
    "Name:                     web",
    "Namespace:                default",
    "Labels:                   app=web",
    "Annotations:              <none>",
    "Selector:                 app=web",
    "Type:                     NodePort",
    "IP Family Policy:         SingleStack",
    "IP Families:              IPv4",
    "IP:                       10.96.100.10",
    "IPs:                      10.96.100.10",
    "Port:                     http  80/TCP",
    "TargetPort:               8080/TCP",
    "NodePort:                 http  30080/TCP",
)
WEB_TAIL = (
    "Session Affinity:         None",
    "External Traffic Policy:  Cluster",
    "Internal Traffic Policy:  Cluster",
    "Events:                   <none>",
)


def test_describe_nodeport_service():
    # Reference section 6.3: ready endpoints only, three of them, then how many more.
    slices = [web_slice(endpoint("10.244.1.5", "web-a"), endpoint("10.244.2.6", "web-b", node="node2"),
                        endpoint("10.244.1.9", "web-x", ready=False),
                        endpoint("10.244.3.7", "web-c", node="node3"), endpoint("10.244.1.8", "web-d"))]
    assert describe_service(web(), endpoint_slices=slices, now=NOW) == lines(
        *WEB_HEAD,
        "Endpoints:                10.244.1.5:8080,10.244.2.6:8080,10.244.3.7:8080 + 1 more...",
        *WEB_TAIL,
    )


def test_endpoints_line_without_slices_and_with_no_ready_endpoint():
    assert describe_service(web(), now=NOW) == lines(*WEB_HEAD, "Endpoints:                <none>", *WEB_TAIL)
    not_ready = [web_slice(endpoint("10.244.1.5", "web-a", ready=False))]
    # An empty value still pads its label to the column: the line ends in spaces.
    assert describe_service(web(), endpoint_slices=not_ready, now=NOW) == lines(
        *WEB_HEAD, "Endpoints:                ", *WEB_TAIL)
    placeholder = [endpoint_slice("web-x7k2p", "web", [], [])]
    assert "Endpoints:                \n" in describe_service(web(), endpoint_slices=placeholder, now=NOW)


def test_endpoint_slices_format_quirks():
    ready = [endpoint(f"10.244.{i}.5", f"web-{i}") for i in (1, 2, 3)]
    # kubectl decides "more" before it looks at readiness: three ready + one not ready says "+ 0 more".
    late = web_slice(*ready, endpoint("10.244.4.5", "web-4", ready=False))
    assert format_endpoint_slices([late], "http") == "10.244.1.5:8080,10.244.2.5:8080,10.244.3.5:8080 + 0 more..."
    assert format_endpoint_slices([web_slice(*ready)], "http") == "10.244.1.5:8080,10.244.2.5:8080,10.244.3.5:8080"
    # An unset `ready` means ready; the port name must match; IPv6 is bracketed.
    unknown = web_slice(endpoint("fd00:10:244:1::5", "web-6", ready=None))
    assert format_endpoint_slices([unknown], "http") == "[fd00:10:244:1::5]:8080"
    assert format_endpoint_slices([unknown], "metrics") == ""
    # Slices without ports (a headless Service without ports) list bare addresses.
    bare = endpoint_slice("db-abcde", "db", [endpoint("10.244.1.5", "db-0"), endpoint("10.244.2.6", "db-1")], [])
    assert format_endpoint_slices([bare], "") == "10.244.1.5,10.244.2.6"
    assert format_endpoint_slices([], "http") == "<none>"


def test_describe_multi_port_service_reads_each_port_from_every_slice():
    ports = ({"name": "http", "port": 80, "protocol": "TCP", "targetPort": "web"},
             {"name": "metrics", "port": 9090, "protocol": "TCP", "targetPort": 9090})
    svc = service("multi", ports=ports, cluster_ip="10.96.30.3")
    # Pods exposing the named port "web" on different numbers land in different slices.
    b2 = endpoint_slice("multi-b2xyz", "multi", [endpoint("10.244.1.5", "m-a"), endpoint("10.244.2.6", "m-b")],
                        [slice_port(8080, "http"), slice_port(9090, "metrics")])
    a1 = endpoint_slice("multi-a1xyz", "multi", [endpoint("10.244.3.7", "m-c")],
                        [slice_port(8081, "http"), slice_port(9090, "metrics")])
    assert describe_service(svc, endpoint_slices=[b2, a1], now=NOW, events=None) == lines(
        "Name:                     multi",
        "Namespace:                default",
        "Labels:                   app=multi",
        "Annotations:              <none>",
        "Selector:                 app=multi",
        "Type:                     ClusterIP",
        "IP Family Policy:         SingleStack",
        "IP Families:              IPv4",
        "IP:                       10.96.30.3",
        "IPs:                      10.96.30.3",
        "Port:                     http  80/TCP",
        "TargetPort:               web/TCP",
        "Endpoints:                10.244.3.7:8081,10.244.1.5:8080,10.244.2.6:8080",
        "Port:                     metrics  9090/TCP",
        "TargetPort:               9090/TCP",
        "Endpoints:                10.244.3.7:9090,10.244.1.5:9090,10.244.2.6:9090",
        "Session Affinity:         None",
        "Internal Traffic Policy:  Cluster",
    )


def test_describe_load_balancer_with_ingress_policies_and_events():
    svc = service("lb", type_="LoadBalancer", cluster_ip="10.96.7.8",
                  ports=({"port": 80, "protocol": "TCP", "targetPort": 8080, "nodePort": 31234},),
                  ingress=[{"ip": "192.168.1.240", "ipMode": "VIP"}, {"hostname": "lb.example.com"}],
                  externalTrafficPolicy="Local", healthCheckNodePort=32000, sessionAffinity="ClientIP",
                  loadBalancerSourceRanges=["10.0.0.0/8", "192.168.0.0/16"], trafficDistribution="PreferClose")
    svc["metadata"]["annotations"] = {"metallb.io/ip-allocated-from-pool": "default"}
    events = [
        event("nodeAssigned", 'announcing from node "node1" with protocol "layer2"', first="2026-11-22T10:03:00Z",
              component="metallb-speaker"),
        event("IPAllocated", 'Assigned IP ["192.168.1.240"]', first="2026-11-22T10:02:55Z",
              component="metallb-controller"),
    ]
    slices = [endpoint_slice("lb-k2j4d", "lb", [endpoint("10.244.1.5", "lb-a")], [slice_port(8080)])]
    assert describe_service(svc, endpoint_slices=slices, events=events, now=NOW) == lines(
        "Name:                        lb",
        "Namespace:                   default",
        "Labels:                      app=lb",
        "Annotations:                 metallb.io/ip-allocated-from-pool: default",
        "Selector:                    app=lb",
        "Type:                        LoadBalancer",
        "IP Family Policy:            SingleStack",
        "IP Families:                 IPv4",
        "IP:                          10.96.7.8",
        "IPs:                         10.96.7.8",
        "LoadBalancer Ingress:        192.168.1.240 (VIP), lb.example.com",
        "Port:                        <unset>  80/TCP",
        "TargetPort:                  8080/TCP",
        "NodePort:                    <unset>  31234/TCP",
        "Endpoints:                   10.244.1.5:8080",
        "Session Affinity:            ClientIP",
        "External Traffic Policy:     Local",
        "Internal Traffic Policy:     Cluster",
        "HealthCheck NodePort:        32000",
        "LoadBalancer Source Ranges:  10.0.0.0/8,192.168.0.0/16",
        "Traffic Distribution:        PreferClose",
        "Events:",
        "  Type    Reason        Age   From                Message",
        "  ----    ------        ----  ----                -------",
        '  Normal  IPAllocated   2m5s  metallb-controller  Assigned IP ["192.168.1.240"]',
        '  Normal  nodeAssigned  2m    metallb-speaker     announcing from node "node1" with protocol "layer2"',
    )


def test_describe_external_name_service():
    svc = service("ext", type_="ExternalName", cluster_ip=None, ports=(), selector={},
                  externalName="foo.example.com", externalIPs=["203.0.113.10"], loadBalancerIP="192.168.1.250")
    assert describe_service(svc, now=NOW) == lines(
        "Name:                     ext",
        "Namespace:                default",
        "Labels:                   app=ext",
        "Annotations:              <none>",
        "Selector:                 <none>",
        "Type:                     ExternalName",
        "IP Families:              <none>",
        "IP:                       ",
        "IPs:                      <none>",
        "External IPs:             203.0.113.10",
        "Desired LoadBalancer IP:  192.168.1.250",
        "External Name:            foo.example.com",
        "Session Affinity:         None",
        "Events:                   <none>",
    )


def test_describe_headless_service():
    svc = service("db", cluster_ip="None", ports=({"port": 5432, "protocol": "TCP", "targetPort": 5432},))
    slices = [endpoint_slice("db-9zq4c", "db", [endpoint("10.244.1.5", "db-0", hostname="db-0"),
                                                endpoint("10.244.2.6", "db-1", node="node2")],
                             [slice_port(5432)])]
    assert describe_service(svc, endpoint_slices=slices, now=NOW) == lines(
        "Name:                     db",
        "Namespace:                default",
        "Labels:                   app=db",
        "Annotations:              <none>",
        "Selector:                 app=db",
        "Type:                     ClusterIP",
        "IP Family Policy:         SingleStack",
        "IP Families:              IPv4",
        "IP:                       None",
        "IPs:                      None",
        "Port:                     <unset>  5432/TCP",
        "TargetPort:               5432/TCP",
        "Endpoints:                10.244.1.5:5432,10.244.2.6:5432",
        "Session Affinity:         None",
        "Internal Traffic Policy:  Cluster",
        "Events:                   <none>",
    )


# --- Endpoints --------------------------------------------------------------------------------

EP_HEAD = (
    "Name:         web",
    "Namespace:    default",
    "Labels:       app=web",
    "              endpoints.kubernetes.io/managed-by=endpoint-controller",
    "Annotations:  endpoints.kubernetes.io/last-change-trigger-time: 2026-11-22T10:03:00Z",
    "Subsets:",
)


def test_describe_endpoints():
    ep = endpoints("web", [
        {"addresses": [address("10.244.1.5", "web-a"), address("10.244.2.6", "web-b", "node2")],
         "notReadyAddresses": [address("10.244.3.7", "web-c", "node3")],
         "ports": [{"port": 8080, "protocol": "TCP"}]},
        {"notReadyAddresses": [address("10.244.1.9", "web-d")],
         "ports": [{"name": "metrics", "port": 9090, "protocol": "TCP"},
                   {"name": "dns", "port": 53, "protocol": "UDP"}]},
    ])
    assert describe_endpoints(ep, now=NOW) == lines(
        *EP_HEAD,
        "  Addresses:          10.244.1.5,10.244.2.6",
        "  NotReadyAddresses:  10.244.3.7",
        "  Ports:",
        "    Name     Port  Protocol",
        "    ----     ----  --------",
        "    <unset>  8080  TCP",
        "",
        "  Addresses:          <none>",
        "  NotReadyAddresses:  10.244.1.9",
        "  Ports:",
        "    Name     Port  Protocol",
        "    ----     ----  --------",
        "    metrics  9090  TCP",
        "    dns      53    UDP",
        "",
        "Events:  <none>",
    )


def test_describe_endpoints_without_subsets_or_ports():
    assert describe_endpoints(endpoints("web", None), now=NOW) == lines(*EP_HEAD, "Events:  <none>")
    headless = endpoints("web", [{"addresses": [address("10.244.1.5", "db-0")]}])
    assert describe_endpoints(headless, now=NOW, events=None) == lines(
        *EP_HEAD,
        "  Addresses:          10.244.1.5",
        "  NotReadyAddresses:  <none>",
        "",
    )


# --- EndpointSlice ----------------------------------------------------------------------------

SLICE_HEAD = (
    "Name:         web-x7k2p",
    "Namespace:    default",
    "Labels:       app=web",
    "              endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io",
    "              kubernetes.io/service-name=web",
    "Annotations:  endpoints.kubernetes.io/last-change-trigger-time: 2026-11-22T10:03:00Z",
    "AddressType:  IPv4",
)


def test_describe_endpointslice():
    eps = endpoint_slice("web-x7k2p", "web", [
        endpoint("10.244.1.5", "web-0", hostname="web-0", zone="zone-a"),
        endpoint("10.244.2.6", "web-1", node="node2", ready=False, terminating=True),
        {"addresses": ["10.244.3.7", "10.244.3.8"], "conditions": {}},
    ], [slice_port(8080, "http"), slice_port(53, "", "UDP")])
    # Only Ready is shown among the conditions, as kubectl's describer does.
    assert describe_endpointslice(eps, now=NOW) == lines(
        *SLICE_HEAD,
        "Ports:",
        "  Name     Port  Protocol",
        "  ----     ----  --------",
        "  http     8080  TCP",
        "  <unset>  53    UDP",
        "Endpoints:",
        "  - Addresses:  10.244.1.5",
        "    Conditions:",
        "      Ready:    true",
        "    Hostname:   web-0",
        "    TargetRef:  Pod/web-0",
        "    NodeName:   node1",
        "    Zone:       zone-a",
        "  - Addresses:  10.244.2.6",
        "    Conditions:",
        "      Ready:    false",
        "    Hostname:   <unset>",
        "    TargetRef:  Pod/web-1",
        "    NodeName:   node2",
        "    Zone:       <unset>",
        "  - Addresses:  10.244.3.7, 10.244.3.8",
        "    Conditions:",
        "      Ready:   <unset>",
        "    Hostname:  <unset>",
        "    NodeName:  <unset>",
        "    Zone:      <unset>",
        "Events:        <none>",
    )


def test_describe_placeholder_endpointslice():
    eps = endpoint_slice("web-x7k2p", "web", [], [])
    assert describe_endpointslice(eps, now=NOW) == lines(
        *SLICE_HEAD,
        "Ports: <unset>",
        "Endpoints: <none>",
        "Events:  <none>",
    )
