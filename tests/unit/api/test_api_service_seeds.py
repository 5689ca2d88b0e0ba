"""The seeds' Service, Endpoints manifests (../shared/seeds) decode, default, validate and allocate.

The manifests are copied from the seed texts; 004's lost its indentation in the scrape and is
re-indented here. Each one is applied to a fresh store as a learner would apply it.
"""

from __future__ import annotations

import pytest
from api_service_fixtures import allocator, api_error, kubectl_invalid, new_store, node_ports

from k8slab.api.apply import apply_manifest
from k8slab.api.bootstrap import kubernetes_service_objects
from k8slab.api.codec import to_dict
from k8slab.api.endpoints import Endpoints
from k8slab.api.endpointslice import EndpointSlice
from k8slab.api.errors import ApiError
from k8slab.api.service import Service
from k8slab.api.yamlio import load_manifests

SEED_SERVICES = {
    # 000: session affinity
    "affinity": """
apiVersion: v1
kind: Service
metadata:
  name: my-service
spec:
  selector:
    app: my-app
  ports:
    - protocol: TCP
      port: 80
      targetPort: 80
  sessionAffinity: ClientIP
  sessionAffinityConfig:
    clientIP:
      timeoutSeconds: 10800
""",
    # 000: multi-port NodePort, one nodePort chosen
    "multi-port-node-port": """
apiVersion: v1
kind: Service
metadata:
  name: multi-port-service
spec:
  selector:
    app: my-app
  ports:
    - name: http
      protocol: TCP
      port: 80
      targetPort: 8080
    - name: https
      protocol: TCP
      port: 443
      targetPort: 8443
      nodePort: 30443
  type: NodePort
""",
    # 000: NodePort with a chosen port
    "node-port": """
apiVersion: v1
kind: Service
metadata:
  name: my-nodeport-service
spec:
  type: NodePort
  ports:
    - port: 80
      targetPort: 80
      nodePort: 30080
  selector:
    app: my-app
""",
    # 000: LoadBalancer
    "load-balancer": """
apiVersion: v1
kind: Service
metadata:
  name: my-loadbalancer-service
spec:
  type: LoadBalancer
  ports:
    - port: 80
      targetPort: 80
  selector:
    app: my-app
""",
    # 000: headless with a selector
    "headless": """
apiVersion: v1
kind: Service
metadata:
  name: headless-service
spec:
  clusterIP: None
  selector:
    app: stateful-app
  ports:
    - port: 80
      name: http
""",
    # 001: named targetPort
    "named-target-port": """
apiVersion: v1
kind: Service
metadata:
  name: nginx-service
spec:
  selector:
    app.kubernetes.io/name: proxy
  ports:
  - name: name-of-service-port
    protocol: TCP
    port: 80
    targetPort: http-web-svc
""",
    # 001: headless with two named ports
    "headless-multi-port": """
apiVersion: v1
kind: Service
metadata:
  name: zk-hs
  labels:
    app: zk
spec:
  clusterIP: None
  ports:
  - port: 2888
    name: server
  - port: 3888
    name: leader-election
  selector:
    app: zk
""",
    # 003: targetPort differs from port
    "target-port": """
apiVersion: v1
kind: Service
metadata:
  name: my-service
spec:
  selector:
    app: myapp
  ports:
    - protocol: TCP
      port: 80
      targetPort: 9376
""",
    # 004: ExternalName
    "external-name": """
apiVersion: v1
kind: Service
metadata:
  name: database-service
spec:
  type: ExternalName
  externalName: my.database.example.com
  ports:
  - port: 80
""",
    # 004: NodePort with a chosen port
    "node-port-30036": """
apiVersion: v1
kind: Service
metadata:
  name: random-generator
spec:
  type: NodePort
  selector:
    app: random-generator
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30036
    protocol: TCP
""",
}

# Selectorless Services with hand-written Endpoints (000, 001, 004).
SEED_SELECTORLESS = {
    "external-http": ("""
apiVersion: v1
kind: Service
metadata:
  name: external-http-service
spec:
  ports:
    - name: http
      port: 80
      protocol: TCP
---
apiVersion: v1
kind: Endpoints
metadata:
  name: external-http-service
subsets:
  - addresses:
      - ip: 192.168.3.215
    ports:
      - name: http
        port: 80
        protocol: TCP
""", ["192.168.3.215"]),
    "nginx-no-selector": ("""
apiVersion: v1
kind: Service
metadata:
  name: nginx-service
spec:
  ports:
    - protocol: TCP
      port: 80
      targetPort: 80
---
apiVersion: v1
kind: Endpoints
metadata:
  # 这里的 name 要与 Service 的名字相同
  name: nginx-service
subsets:
  - addresses:
      - ip: 192.168.159.44 # 需要绑定的pod的地址
    ports:
      - port: 80  # 需要绑定的pod的端口
""", ["192.168.159.44"]),
    "external-service": ("""
apiVersion: v1
kind: Service
metadata:
  name: external-service
spec:
  type: ClusterIP
  ports:
  - protocol: TCP
    port: 80
---
apiVersion: v1
kind: Endpoints
metadata:
  name: external-service
subsets:
- addresses:
  - ip: 1.1.1.1
  - ip: 2.2.2.2
  ports:
  - port: 8080
""", ["1.1.1.1", "2.2.2.2"]),
}


def apply_all(store, text):
    return [apply_manifest(store, doc, "seed.yaml", "default") for doc in load_manifests(text, "seed.yaml")]


@pytest.mark.parametrize("text", list(SEED_SERVICES.values()), ids=list(SEED_SERVICES))
def test_seed_services_apply_and_reapply_unchanged(text):
    store = new_store()
    [(word, svc)] = apply_all(store, text)
    assert word == "created" and isinstance(svc, Service)
    spec = svc.spec
    assert all(p.protocol and p.target_port for p in spec.ports)
    if spec.type == "ExternalName":
        assert spec.cluster_ip is None and spec.external_name == "my.database.example.com"
    elif spec.cluster_ip == "None":
        assert spec.cluster_ips == ("None",) and spec.ip_family_policy == "SingleStack"
    else:
        assert allocator(store).ips.is_allocated(spec.cluster_ip)
    if spec.type in ("NodePort", "LoadBalancer"):
        assert all(node_ports(svc))
    [(word, again)] = apply_all(store, text)
    assert (word, again) == ("unchanged", svc)


def test_seed_specifics():
    store = new_store()
    [(_, affinity)] = apply_all(store, SEED_SERVICES["affinity"])
    assert affinity.spec.session_affinity_config.client_ip.timeout_seconds == 10800
    [(_, multi)] = apply_all(store, SEED_SERVICES["multi-port-node-port"])
    assert node_ports(multi)[1] == 30443 and node_ports(multi)[0] not in (None, 30443)
    [(_, named)] = apply_all(store, SEED_SERVICES["named-target-port"])
    assert named.spec.ports[0].target_port == "http-web-svc"
    [(_, zk)] = apply_all(store, SEED_SERVICES["headless-multi-port"])
    assert [p.target_port for p in zk.spec.ports] == [2888, 3888]


@pytest.mark.parametrize("text, ips", list(SEED_SELECTORLESS.values()), ids=list(SEED_SELECTORLESS))
def test_seed_selectorless_services_with_endpoints(text, ips):
    store = new_store()
    (_, svc), (_, ep) = apply_all(store, text)
    assert isinstance(svc, Service) and not svc.spec.selector and isinstance(ep, Endpoints)
    assert [a.ip for a in ep.subsets[0].addresses] == ips
    assert all(p.protocol == "TCP" for p in ep.subsets[0].ports)
    assert [w for w, _ in apply_all(store, text)] == ["unchanged", "unchanged"]


def test_seed_load_balancer_with_a_cloud_cluster_ip_is_refused():
    # 004 copies a GKE object: its clusterIP lies outside this cluster's service range.
    text = """
apiVersion: v1
kind: Service
metadata:
  name: random-generator
spec:
  type: LoadBalancer
  clusterIP: 10.0.171.239
  loadBalancerIP: 78.11.24.19
  selector:
    app: random-generator
  ports:
  - port: 80
    targetPort: 8080
    protocol: TCP
status:
  loadBalancer:
    ingress:
    - ip: 146.148.47.155
"""
    store = new_store()
    err = api_error(apply_all, store, text)
    assert str(err) == kubectl_invalid("random-generator", [
        'spec.clusterIPs: Invalid value: []string{"10.0.171.239"}: failed to allocate IP 10.0.171.239: the '
        "provided IP (10.0.171.239) is not in the valid range. The range of valid IPs is 10.96.0.0/12"])
    without_ip = text.replace("  clusterIP: 10.0.171.239\n", "")
    [(_, lb)] = apply_all(store, without_ip)
    assert lb.status.load_balancer.ingress == ()  # a manifest's status is not taken on create


def test_seed_topology_keys_no_longer_decode():
    text = """
apiVersion: v1
kind: Service
metadata:
  name: topology-aware-service
spec:
  selector:
    app: my-app
  ports:
    - port: 80
      targetPort: 80
  topologyKeys:
    - topology.kubernetes.io/zone
"""
    with pytest.raises(ApiError) as info:
        apply_all(new_store(), text)
    assert 'strict decoding error: unknown field "spec.topologyKeys"' in str(info.value)


def test_kubernetes_service_objects():
    svc, ep, eps = kubernetes_service_objects("192.168.56.11")
    store = new_store()
    for obj in (svc, ep, eps):
        store.create(obj, namespace="default")
    stored = to_dict(store.get("Service", "kubernetes"))
    assert stored["metadata"]["labels"] == {"component": "apiserver", "provider": "kubernetes"}
    assert stored["spec"] == {
        "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
        "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
        "sessionAffinity": "None", "type": "ClusterIP"}
    endpoints = to_dict(store.get("Endpoints", "kubernetes"))
    assert endpoints["metadata"]["labels"] == {"endpointslice.kubernetes.io/skip-mirror": "true"}
    assert endpoints["subsets"] == [{"addresses": [{"ip": "192.168.56.11"}],
                                     "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]
    slice_ = store.get("EndpointSlice", "kubernetes")
    assert isinstance(slice_, EndpointSlice)
    assert to_dict(slice_)["metadata"]["labels"] == {"kubernetes.io/service-name": "kubernetes"}
    assert {k: v for k, v in to_dict(slice_).items() if k not in ("metadata",)} == {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
        "endpoints": [{"addresses": ["192.168.56.11"], "conditions": {"ready": True}}],
        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}


def test_kubernetes_service_follows_the_service_cidr():
    svc, _, _ = kubernetes_service_objects("192.168.56.11", service_cidr="10.100.0.0/16")
    assert svc.spec.cluster_ip == "10.100.0.1"


def test_seeds_are_still_where_the_tests_say():
    # Guard against the copies above drifting from the seeds they stand for.
    from tests.conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip("the seeds are not checked out next to the repository")
    texts = "".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    for needle in ("external-http-service", "192.168.3.215", "my.database.example.com", "30443", "zk-hs",
                   "http-web-svc", "10.0.171.239", "topologyKeys", "9376", "30036"):
        assert needle in texts
