"""A submission's state: what the student owns, without what the cluster filled in or derives."""

from __future__ import annotations

import yaml

from k8slab.learning.submission import dump_state, state_documents
from k8slab.shell.labrun import current_state
from tests.unit.shell.light_session import light_session

MANIFESTS = """apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: shop
spec:
  clusterIP: None
  ports:
  - port: 5432
---
apiVersion: v1
kind: Endpoints
metadata:
  name: db
  namespace: shop
subsets:
- addresses:
  - ip: 192.168.50.10
  ports:
  - port: 5432
---
apiVersion: v1
kind: Endpoints
metadata:
  name: web
  labels:
    endpoints.kubernetes.io/managed-by: endpoint-controller
subsets: []
---
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  nodeName: node2
  containers:
  - name: c
    image: busybox
"""


def test_the_state_keeps_the_students_objects_and_what_a_replay_needs():
    session = light_session()
    assert session.execute("kubectl apply -f -", MANIFESTS).exit_code == 0
    assert session.execute("kubectl expose pod client --port=80 --name=web --selector=run=client").exit_code == 0
    docs = current_state(session)
    names = [(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs]
    assert names[0] == ("Namespace", None, "shop")
    assert set(names) == {("Namespace", None, "shop"), ("Service", "shop", "db"), ("Endpoints", "shop", "db"),
                          ("Pod", "default", "client"), ("Service", "default", "web")}
    web = next(d for d in docs if d["metadata"]["name"] == "web")
    assert web["spec"]["clusterIP"].startswith("10.") and "status" not in web
    assert not {"uid", "resourceVersion", "creationTimestamp"} & set(web["metadata"])
    pod = next(d for d in docs if d["kind"] == "Pod")
    assert pod["spec"]["nodeName"] == "node2"
    text = dump_state(docs)
    assert [d["kind"] for d in yaml.safe_load_all(text)] == [d["kind"] for d in docs]
    assert state_documents([]) == [] and dump_state([]) == ""


def test_hand_written_manifests_recreate_what_kubernetes_will_not_change_in_place():
    from k8slab.shell.labrun import apply_by_hand

    session = light_session()
    assert session.execute("kubectl apply -f -", MANIFESTS.split("---")[0] + "---" + MANIFESTS.split("---")[1]).exit_code == 0
    fixed = MANIFESTS.split("---")[1].replace("clusterIP: None", "clusterIP: 10.96.7.7")
    apply_by_hand(session, fixed + "---\n" + "not: [valid")  # a broken document: the file counts for nothing
    assert session.execute("kubectl get svc db -n shop -o jsonpath={.spec.clusterIP}").stdout.strip() == "None"
    apply_by_hand(session, fixed)
    assert session.execute("kubectl get svc db -n shop -o jsonpath={.spec.clusterIP}").stdout.strip() == "10.96.7.7"
    broken = fixed.replace("clusterIP: 10.96.7.7", "clusterIP: 10.96.7.7\n  type: Bogus")
    apply_by_hand(session, broken)  # not valid in place nor new: what was there stays
    assert session.execute("kubectl get svc db -n shop -o jsonpath={.spec.clusterIP}").stdout.strip() == "10.96.7.7"
