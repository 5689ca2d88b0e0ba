"""`topo` and `topo svc/NAME` pictures: what they name, where their arrows point, how they summarise."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import picture_samples as ps
from service_samples import endpoint, endpoint_slice, service, slice_port

from k8slab.views.canvas import Look, shorten, to_svg, to_text
from k8slab.views.svcmap import service_map
from k8slab.views.topo import cluster_picture


def topo_text(width=120, color=False, pods=None, slices=None, **kw) -> str:
    picture = cluster_picture(ps.lab(), ps.pods() if pods is None else pods, ps.services(),
                              ps.slices() if slices is None else slices, scope="namespace default", width=width, **kw)
    return to_text(picture, Look(width, color))


def map_text(name="web", width=120, color=False, lab=None, services=None, slices=None) -> str:
    svc = next(s for s in (services or ps.services()) if s["metadata"]["name"] == name)
    return to_text(service_map(lab or ps.lab(), svc, slices or ps.slices(), ps.pods(), width=width), Look(width, color))


def line_with(text: str, *parts: str) -> str:
    """The one line holding all `parts`, in that order."""
    found = [line for line in text.splitlines() if re.search(".*".join(map(re.escape, parts)), line)]
    assert len(found) >= 1, f"no line with {parts} in:\n{text}"
    return found[0]


def test_topo_draws_outside_hosts_nodes_and_their_pods():
    text = topo_text()
    for name, ip, cidr in (("node1", "172.18.0.2", "10.244.1.0/24"), ("node2", "172.18.0.3", "10.244.2.0/24"),
                           ("node3", "172.18.0.4", "10.244.3.0/24")):
        assert f"{name} {ip}" in text and f"pods {cidr}" in text
    assert "ext" in text and "172.18.0.1" in text and "172.18.0.254" in text and "192.168.3.216" in text
    assert "lab network 172.18.0.0/16" in text
    # Each pod sits in its node's box, with its IP on the same line; the one not ready says so.
    rows = text.splitlines()
    node_row = next(i for i, line in enumerate(rows) if "node1 172.18.0.2" in line)
    column = {n: rows[node_row].index(f"{n} 172.18") for n in ("node1", "node2", "node3")}
    for name, ip, node in ps.WEB_PODS:
        line = line_with(text, f"● {name}", ip)
        assert line.index(name) > column[node] and all(line.index(name) < column[n] for n in column if column[n] > column[node])
    assert "○ db-0 not ready" in line_with(text, "db-0", "10.244.3.3")
    assert "not on a node yet (Pending): queue-0" in text
    assert "1/2 ready" in text  # node3: web ready, db not


def test_topo_services_point_at_their_endpoints():
    text = topo_text()
    assert line_with(text, "web", "10.96.100.10", "─▶ 10.244.1.3:8080", "web-7957885594-tjxcz @node1")
    for name, ip, node in ps.WEB_PODS[1:]:
        assert line_with(text, f"─▶ {ip}:8080", f"{name} @{node}")
    assert line_with(text, "http 80→8080/TCP")
    assert line_with(text, "nodePort 30080")
    # The selectorless Service's hand-written endpoint is outside the cluster.
    assert line_with(text, "db-ext", "10.96.100.20", "─▶ 192.168.3.216:5432", "@world")
    assert line_with(text, "no selector")
    assert line_with(text, "LB 172.18.255.200 (node2)")
    assert "Services in namespace default" in text


def test_topo_fits_the_width_and_has_no_control_codes_without_colour():
    for width in (120, 100, 80):
        text = topo_text(width)
        assert "\033" not in text
        assert max(len(line) for line in text.splitlines()) <= width, width
    coloured = topo_text(color=True)
    assert "\033[" in coloured
    assert re.sub(r"\033\[[0-9;]*m", "", coloured).splitlines()[0] == topo_text().splitlines()[0]


def test_topo_summarises_many_pods_and_endpoints():
    pods, eps = [], []
    for n in (1, 2, 3):
        for i in range(40):
            name, ip = f"big-6d4cf56db6-{n}{i:03d}x", f"10.244.{n}.{i + 10}"
            pods.append(ps.web_pod(name, ip, f"node{n}", ready=i != 7))
            eps.append(endpoint(ip, name, node=f"node{n}", ready=i != 7))
    slices = ps.slices()[1:] + [endpoint_slice("web-big", "web", eps, [slice_port(8080, "http")])]
    text = topo_text(pods=pods, slices=slices)
    assert len(text.splitlines()) < 60
    assert text.count("+29 more (29 ready)") == 3  # 11 shown per node, the not-ready one among them
    assert text.count("big-6d4cf56db6-1007x not ready") + text.count("not ready ") >= 1
    assert "40/40" not in text and text.count("39/40 ready") == 3
    assert "+116 more (113 ready)" in text  # 120 endpoints, 4 shown


def test_topo_all_namespaces_groups_pods_and_names_service_namespaces():
    pods = ps.pods() + [ps.web_pod("coredns-5d78c9869d-nw26l", "10.244.1.2", "node1", namespace="kube-system")]
    text = topo_text(pods=pods, all_namespaces=True)
    assert "kube-system" in text and line_with(text, "coredns-5d", "…", "-nw26l", "10.244.1.2")  # cut to fit
    assert "default/web" in text


def test_shorten_keeps_both_ends():
    assert shorten("web-7957885594-4vtl2", 14) == "web-795…-4vtl2"
    assert len(shorten("web-7957885594-4vtl2", 14)) == 14
    assert shorten("web", 14) == "web"


def test_svg_is_well_formed_and_names_the_nodes():
    svg = to_svg(cluster_picture(ps.lab(), ps.pods(), ps.services(), ps.slices(), scope="namespace default",
                                 width=120), Look(120), "k8slab cluster")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    words = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text")).replace("\xa0", " ")
    for name in ("node1", "node2", "node3", "10.244.2.2", "web-7957885594-4vtl2"):
        assert name in words


def test_service_map_names_ports_endpoints_pods_and_nodes():
    text = map_text("web")
    assert "svc/web" in text and "namespace default" in text
    assert line_with(text, "ClusterIP", "10.96.100.10")
    assert line_with(text, "http: port 80/TCP ─▶ targetPort 8080", "nodePort 30080")
    assert line_with(text, "sessionAffinity", "None")
    assert line_with(text, "traffic policy", "external Cluster", "internal Cluster")
    assert line_with(text, "from ext", "172.18.0.2:30080")
    assert "EndpointSlice web-x7k2p" in text
    for name, ip, node in ps.WEB_PODS:
        assert line_with(text, f"─▶ {ip}:8080", "true", "true", "false", name, node)
    assert "picks one of 4 ready endpoints" in text
    assert "\033" not in text


def test_service_map_shows_conditions_of_terminating_and_unready_endpoints():
    eps = [endpoint("10.244.1.3", "web-a", node="node1"),
           endpoint("10.244.2.2", "web-b", node="node2", ready=False, terminating=True),
           endpoint("10.244.3.9", "web-c", node="node3", ready=False)]
    eps[1]["conditions"]["serving"] = True
    slices = [endpoint_slice("web-x7k2p", "web", eps, [slice_port(8080, "http")])]
    text = map_text("web", slices=slices)
    assert re.search(r"─▶ 10\.244\.2\.2:8080\s+false\s+true\s+true\s+web-b\s+node2", text), text
    assert re.search(r"─▶ 10\.244\.3\.9:8080\s+false\s+false\s+false\s+web-c\s+node3", text), text
    assert "to its only ready endpoint" in text
    narrow = map_text("web", width=80, slices=slices)
    assert line_with(narrow, "10.244.2.2:8080", "serving terminating")
    assert max(len(line) for line in narrow.splitlines()) <= 80


def test_service_map_of_a_selectorless_service_points_outside():
    text = map_text("db-ext")
    assert line_with(text, "selector", "none")
    assert line_with(text, "─▶ 192.168.3.216:5432", "world (outside the cluster)")
    assert "world outside the cluster" in text and "node1 172.18.0.2" not in text


def test_service_map_shows_the_announcer_and_external_traffic_policy_local():
    text = map_text("lb")
    assert line_with(text, "LB IP", "172.18.255.200", "node2 answers ARP")
    assert line_with(text, "answers ARP for 172.18.255.200")
    local = service("web", type_="NodePort", cluster_ip="10.96.100.10", externalTrafficPolicy="Local",
                    ports=({"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080, "nodePort": 30080},))
    eps = [endpoint("10.244.2.2", "web-7957885594-4vtl2", node="node2")]
    slices = [endpoint_slice("web-x7k2p", "web", eps, [slice_port(8080, "http")])]
    text = map_text("web", services=[local], slices=slices)
    assert text.count("externalTrafficPolicy Local:") == 3
    assert text.count("no endpoint here: drops outsiders") == 2  # node1 and node3
    header = line_with(text, "node1 172.18.0.2", "node2 172.18.0.3", "node3 172.18.0.4")
    at = line_with(text, "1 endpoint here: answers").index("1 endpoint here")
    assert header.index("node2") - 4 < at < header.index("node3")  # in node2's box


def test_service_map_of_an_external_name():
    svc = service("ext", type_="ExternalName", cluster_ip=None, selector={}, ports=(),
                  externalName="my.database.example.com")
    text = map_text("ext", services=[svc], slices=[])
    assert "CNAME to my.database.example.com" in text and "EndpointSlice" not in text
    assert "selector" not in text and "kube-proxy picks" not in text


def test_a_headless_service_is_answered_by_dns():
    svc = service("web", cluster_ip="None")
    text = map_text("web", services=[svc])
    assert "None (headless" in text and "DNS answers with the 4 ready addresses" in text
    assert line_with(text, "─▶ 10.244.1.3:8080", "web-7957885594-tjxcz", "node1")
