"""Objects the apiserver writes for itself at start-up: the `default/kubernetes` Service and endpoints.

The cluster creates them through the store like any other object, so 10.96.0.1 is reserved in the
allocator exactly as a learner's own clusterIP would be.
"""

from __future__ import annotations

from typing import Tuple

from k8slab.api.allocator import DEFAULT_SERVICE_CIDR, nth_service_ip
from k8slab.api.endpoints import EndpointAddress, EndpointPort, Endpoints, EndpointSubset
from k8slab.api.endpointslice import SERVICE_NAME_LABEL, Endpoint, EndpointConditions, EndpointSlice, EndpointSlicePort
from k8slab.api.meta import ObjectMeta
from k8slab.api.service import Service, ServicePort, ServiceSpec

APISERVER_PORT = 6443
# The apiserver's own endpoint reconciler writes the slice, so the Endpoints are kept from mirroring.
SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror"


def kubernetes_service_objects(
    apiserver_ip: str, service_cidr: str = DEFAULT_SERVICE_CIDR, apiserver_port: int = APISERVER_PORT
) -> Tuple[Service, Endpoints, EndpointSlice]:
    """`default/kubernetes` (first IP of the service CIDR, 443/TCP `https`), its Endpoints and EndpointSlice."""
    cluster_ip = nth_service_ip(service_cidr, 1)
    service = Service(
        metadata=ObjectMeta(name="kubernetes", namespace="default",
                            labels={"component": "apiserver", "provider": "kubernetes"}),
        spec=ServiceSpec(
            type="ClusterIP",
            cluster_ip=cluster_ip,
            cluster_ips=(cluster_ip,),
            ports=(ServicePort(name="https", protocol="TCP", port=443, target_port=apiserver_port),),
            session_affinity="None",
        ),
    )
    endpoints = Endpoints(
        metadata=ObjectMeta(name="kubernetes", namespace="default", labels={SKIP_MIRROR_LABEL: "true"}),
        subsets=(EndpointSubset(addresses=(EndpointAddress(ip=apiserver_ip),),
                                ports=(EndpointPort(name="https", port=apiserver_port, protocol="TCP"),)),),
    )
    endpoint_slice = EndpointSlice(
        metadata=ObjectMeta(name="kubernetes", namespace="default", labels={SERVICE_NAME_LABEL: "kubernetes"}),
        address_type="IPv4",
        endpoints=(Endpoint(addresses=(apiserver_ip,), conditions=EndpointConditions(ready=True)),),
        ports=(EndpointSlicePort(name="https", protocol="TCP", port=apiserver_port),),
    )
    return service, endpoints, endpoint_slice


CLUSTER_DNS_IP = "10.96.0.10"
COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.11.3"


def kube_dns_objects() -> tuple:
    """kubeadm's cluster DNS: the `kube-system/kube-dns` Service at 10.96.0.10 and the CoreDNS Deployment.

    A Deployment, as kubeadm makes it, so that when the node running CoreDNS fails, its pod is evicted
    and the ReplicaSet starts another elsewhere; k8slab runs one replica (kubeadm two) to start fast."""
    from k8slab.api.apps import Deployment
    from k8slab.api.codec import from_dict
    from k8slab.api.service import Service

    labels = {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"}
    svc = from_dict(Service, {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": "kube-system", "labels": labels,
                     "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
        "spec": {"clusterIP": CLUSTER_DNS_IP, "selector": {"k8s-app": "kube-dns"},
                 "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                           {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                           {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]}})
    deployment = from_dict(Deployment, {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}},
                 "template": {
                     "metadata": {"labels": {"k8s-app": "kube-dns"}},
                     "spec": {"priorityClassName": "system-cluster-critical", "dnsPolicy": "Default",
                              "containers": [{"name": "coredns", "image": COREDNS_IMAGE,
                                              "args": ["-conf", "/etc/coredns/Corefile"],
                                              "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                                                        {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                                                        {"containerPort": 9153, "name": "metrics",
                                                         "protocol": "TCP"}]}],
                              "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                                              {"key": "node-role.kubernetes.io/control-plane",
                                               "effect": "NoSchedule"}]}}}})
    return svc, deployment
