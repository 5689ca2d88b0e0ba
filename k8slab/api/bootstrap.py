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
