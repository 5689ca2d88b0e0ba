"""kubectl patch: strategic merge (lists by key), JSON merge, JSON patch, and kubectl's messages."""

from __future__ import annotations

import pytest

from k8slab.shell.kubectl.patch import json_patch, strategic_merge
from tests.unit.shell.light_session import light_session


@pytest.fixture
def session():
    s = light_session()
    manifest = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
    tier: front
  ports:
  - name: http
    port: 80
    targetPort: 8080
  - name: admin
    port: 9000
"""
    assert s.execute("kubectl apply -f -", manifest).exit_code == 0
    return s


def get(session, path):
    return session.execute(f"kubectl get svc web -o jsonpath={path}").stdout.strip()


def test_strategic_merge_merges_maps_and_ports_by_port(session):
    out = session.execute("kubectl patch svc web -p '{\"spec\":{\"selector\":{\"tier\":null,\"app\":\"shop\"},"
                          "\"ports\":[{\"port\":80,\"targetPort\":9376}]}}'")
    assert out.stdout == "service/web patched\n"
    assert get(session, "{.spec.selector}") == '{"app":"shop"}'
    assert get(session, "{.spec.ports[*].targetPort}") == "9376 9000"
    assert get(session, "{.spec.ports[0].name}") == "http"


def test_merge_patch_replaces_lists(session):
    session.execute("kubectl patch svc web --type=merge -p '{\"spec\":{\"ports\":[{\"port\":81}]}}'")
    assert get(session, "{.spec.ports[*].port}") == "81"


def test_json_patch_and_no_change(session):
    out = session.execute("kubectl patch svc web --type=json -p "
                          "'[{\"op\":\"replace\",\"path\":\"/spec/ports/0/targetPort\",\"value\":7000}]'")
    assert out.exit_code == 0 and get(session, "{.spec.ports[0].targetPort}") == "7000"
    same = session.execute("kubectl patch svc web -p '{\"spec\":{\"selector\":{\"app\":\"web\"}}}'")
    assert same.stdout == "service/web patched (no change)\n"


def test_errors_are_kubectls(session):
    assert "must specify -p" in session.execute("kubectl patch svc web").stderr
    bad = session.execute("kubectl patch svc web -p '{\"spec\":{\"type\":\"Bogus\"}}'")
    assert bad.exit_code == 1 and 'The Service "web" is invalid: spec.type: Unsupported value: "Bogus"' in bad.stderr
    assert "not found" in session.execute("kubectl patch svc nope -p '{}'").stderr
    missing = session.execute("kubectl patch svc web --type=json -p '[{\"op\":\"remove\",\"path\":\"/spec/nope/x\"}]'")
    assert "does not exist" in missing.stderr


def test_the_pure_halves():
    live = {"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}], "args": ["1"]}}
    merged = strategic_merge(live, {"spec": {"containers": [{"name": "b", "image": "z"}], "args": ["2"]}})
    assert merged["spec"]["containers"] == [{"name": "a", "image": "x"}, {"name": "b", "image": "z"}]
    assert merged["spec"]["args"] == ["2"]
    assert json_patch({"a": [1, 2]}, [{"op": "add", "path": "/a/-", "value": 3}]) == {"a": [1, 2, 3]}
    assert live["spec"]["containers"][1]["image"] == "y"  # the live object is never changed in place
