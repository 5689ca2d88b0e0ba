"""`topo`, `topo svc/NAME` and `trace --diagram` through a Session: parsing, namespaces, SVG files."""

from __future__ import annotations

import copy
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from k8slab.api import kinds
from k8slab.api.codec import from_dict
from k8slab.api.service_strategy import ServiceStrategy
from k8slab.api.store import Store
from k8slab.net.addresses import EXT_NAME, WORLD_NAME, ClusterSpec
from k8slab.proxy.model import NodeConfig
from k8slab.proxy.render import render
from k8slab.proxy.sources import service_ports
from k8slab.shell.session import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "views"))
import picture_samples as ps  # noqa: E402
from views_samples import node  # noqa: E402


class PaperCluster:
    """What the picture commands read from `session.cluster`: a real store, nodes on paper, and the
    rules kube-proxy would render for that store (no network, no processes)."""

    def __init__(self):
        self.spec = ClusterSpec(nodes=3)
        self.store = Store(strategies=[ServiceStrategy(sctp=False)])
        plans = {p.name: p for p in self.spec.node_plans()}
        self.network = SimpleNamespace(plans=plans, hosts={n: None for n in list(plans) + [EXT_NAME, WORLD_NAME]})
        self.load_balancers = SimpleNamespace(announced={"172.18.255.200": "node2"})
        for p in plans.values():
            self.put(node(p.name, p.ip))
        for obj in ps.pods() + ps.services() + ps.slices():
            self.put(obj)
        ports = service_ports(self.store.list("Service"), self.store.list("EndpointSlice"))
        rendered = {p.name: render(NodeConfig(p.name, (p.ip,)), ports) for p in plans.values()}
        self.kube_proxy = SimpleNamespace(rendered=rendered)

    def put(self, data: dict):
        data = copy.deepcopy(data)
        for key in ("resourceVersion", "uid", "creationTimestamp"):
            data["metadata"].pop(key, None)
        obj = from_dict(kinds.resolve(data["kind"]).cls, data)
        created = self.store.create(obj)
        if data.get("status"):
            self.store.update_status(replace(created, status=obj.status))


@pytest.fixture
def session():
    s = Session(PaperCluster())
    s.printer = SimpleNamespace(colored=False)
    return s


def test_topo_draws_the_current_namespace(session):
    r = session.execute("topo")
    assert r.exit_code == 0, r.stderr
    assert "Services in namespace default" in r.stdout
    assert "node2 172.18.0.3" in r.stdout and "web-7957885594-4vtl2" in r.stdout
    assert "─▶ 10.244.2.2:8080" in r.stdout
    assert "\033" not in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 120


def test_topo_other_namespaces(session):
    session.cluster.store.create(from_dict(kinds.resolve("Namespace").cls, {"metadata": {"name": "dev"}}))
    r = session.execute("topo -n dev")
    assert r.exit_code == 0 and "No Services in namespace dev." in r.stdout and "web-7957885594" not in r.stdout
    r = session.execute("topo -A")
    assert "Services in all namespaces" in r.stdout and "default/web" in r.stdout
    r = session.execute("topo -n nope")  # as `kubectl get -n nope`: nothing there, not an error
    assert r.exit_code == 0 and "No Services in namespace nope." in r.stdout


@pytest.mark.parametrize("line", ["topo svc/web", "topo service/web", "topo svc web", "topo service web"])
def test_service_map_spellings(session, line):
    r = session.execute(line)
    assert r.exit_code == 0, r.stderr
    assert "svc/web" in r.stdout and "EndpointSlice web-x7k2p" in r.stdout
    assert "web-7957885594-qtsz5" in r.stdout and "node3 172.18.0.4" in r.stdout


def test_topo_errors_say_what_to_type(session):
    r = session.execute("topo svc/nope")
    assert r.exit_code == 1 and 'services "nope" not found' in r.stderr
    r = session.execute("topo pods")
    assert r.exit_code == 1 and "topo svc/web" in r.stderr
    r = session.execute("topo svc/web -A")
    assert r.exit_code == 1 and "-n" in r.stderr
    r = session.execute("topo --bogus")
    assert r.exit_code == 1 and "unknown flag: --bogus" in r.stderr
    r = session.execute("topo --svg")
    assert r.exit_code == 1 and "--svg" in r.stderr


def test_svg_files_for_topo_the_map_and_the_trace(session, tmp_path):
    for line, name, must in (("topo --svg {}", "topo.svg", "node1"),
                             ("topo svc/web --svg={}", "web.svg", "10.244.3.2:8080"),
                             ("trace ext node2:30080 --svg {}", "trace.svg", "KUBE-NODEPORTS")):
        path = tmp_path / name
        r = session.execute(line.format(path))
        assert r.exit_code == 0, r.stderr
        assert r.stdout == f"wrote {path} (SVG, 120 columns)\n"
        root = ET.parse(path).getroot()
        words = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text")).replace("\xa0", " ")
        assert must in words
    r = session.execute(f"topo --svg {tmp_path}/missing/dir/x.svg")
    assert r.exit_code == 1 and "cannot write" in r.stderr


def test_trace_diagram_flag_and_plain_trace_stay_apart(session):
    r = session.execute("trace ext node2:30080 --diagram")
    assert r.exit_code == 0, r.stderr
    assert "KUBE-NODEPORTS" in r.stdout and "DNAT to 10.244.2.2:8080" in r.stdout and "╭─ ext" in r.stdout
    plain = session.execute("trace ext node2:30080")
    assert "Where the connection ends up:" in plain.stdout and "╭" not in plain.stdout
    r = session.execute("trace ext --diagram")
    assert r.exit_code == 1 and "--diagram" in r.stderr
