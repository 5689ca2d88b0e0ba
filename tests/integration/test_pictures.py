"""`topo`, `topo svc/NAME`, `trace --diagram` and `--svg` against a real cluster."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import run_k8slab

pytestmark = pytest.mark.integration

SERVICE = """kubectl apply -f - <<EOF
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 80
    nodePort: 30080
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  ports:
  - port: 5432
---
apiVersion: v1
kind: Endpoints
metadata:
  name: db
subsets:
- addresses:
  - ip: 192.168.3.216
  ports:
  - port: 5432
EOF
"""


def _section(out: str, start: str, end: str) -> str:
    return out.split(start, 1)[1].split(end, 1)[0]


def test_pictures_name_the_real_pods_and_their_addresses(tmp_path):
    svg = tmp_path / "trace.svg"
    script = ("kubectl create deployment web --image=nginx --replicas=3\n" + SERVICE +
              "kubectl run client --image=busybox -- sleep 600\n"
              "kubectl rollout status deployment/web\n"  # its pods exist and are ready (wait --all may see none yet)
              "kubectl wait --for=condition=Ready pod/client\n"
              "kubectl get pods -l app=web -o wide --no-headers\n"
              "node1 sleep 2\n"  # kube-proxy has applied the last endpoints
              "node1 echo ==topo\ntopo\n"
              "node1 echo ==map\ntopo svc/web\n"
              "node1 echo ==trace\ntrace client svc/web --diagram\n"
              "node1 echo ==ext\ntrace ext node2:30080 --diagram\n"
              f"node1 echo ==svg\ntrace ext node2:30080 --svg {svg}\n")
    p = run_k8slab(script)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    pods = re.findall(r"^(web-\S+)\s+1/1\s+Running\s+\S+\s+\S+\s+(10\.244\.\d+\.\d+)\s+(node\d)", out, re.M)
    assert len(pods) == 3, out
    topo, svc_map = _section(out, "==topo", "==map"), _section(out, "==map", "==trace")
    trace, ext = _section(out, "==trace", "==ext"), _section(out, "==ext", "==svg")
    assert "\033" not in out  # NO_COLOR, and not a terminal
    assert "node1 172.18.0.2" in topo and "lab network 172.18.0.0/16" in topo
    assert re.search(r"─▶ 192\.168\.3\.216:5432\s+@world", topo), topo
    for name, ip, node in pods:
        assert re.search(rf"● {name}\s+{re.escape(ip)}", topo), topo  # in its node's box
        assert re.search(rf"─▶ {re.escape(ip)}:80\s+{name} @{node}", topo), topo  # the Service's arrow
        assert re.search(rf"─▶ {re.escape(ip)}:80\s+true\s+true\s+false\s+{name}\s+{node}", svc_map), svc_map
        assert f"DNAT to {ip}:80" in trace and f"DNAT to {ip}:80" in ext
    assert "nodePort 30080" in svc_map and "EndpointSlice web-" in svc_map
    assert "random pick: 1 of 3 endpoints" in trace and "no SNAT: it sees source 10.244." in trace
    assert "KUBE-NODEPORTS" in ext and "port 30080 is the NodePort of default/web:http" in ext
    assert "MASQUERADE: source becomes" in ext
    assert f"wrote {svg} (SVG, 120 columns)" in out
    words = " ".join(t.text or "" for t in ET.parse(svg).getroot().iter() if t.tag.endswith("text"))
    assert all(f"{ip}:80" in words.replace("\xa0", " ") for _, ip, _ in pods)
