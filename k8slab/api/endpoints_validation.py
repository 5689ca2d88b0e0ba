"""Endpoints (core/v1) and EndpointSlice (discovery.k8s.io/v1) validation, messages verbatim."""

from __future__ import annotations

from typing import Any, List, Set

from k8slab.api import naming
from k8slab.api.endpoints import EndpointAddress, EndpointPort, Endpoints
from k8slab.api.endpointslice import EndpointSlice
from k8slab.api.errors import TOO_MANY, FieldError
from k8slab.api.meta_validation import validate_labels, validate_object_meta

Errors = List[FieldError]

PROTOCOLS = ["SCTP", "TCP", "UDP"]
ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"]
MAX_SLICE_ENDPOINTS = 1000
MAX_ENDPOINT_ADDRESSES = 100
MAX_SLICE_PORTS = 100
MAX_TOPOLOGY_LABELS = 16


def _invalid_each(path: str, value: Any, messages: List[str]) -> Errors:
    return [FieldError.invalid(path, value, msg) for msg in messages]


def too_many(path: str, actual: int, limit: int) -> FieldError:
    """`<path>: Too many: 1001: must have at most 1000 items` (field.TooMany)."""
    noun = "item" if limit == 1 else "items"
    return FieldError(TOO_MANY, path, actual, f"must have at most {limit} {noun}")


def _protocol(path: str, protocol: Any) -> Errors:
    if not protocol:
        return [FieldError.required(path)]
    if protocol not in PROTOCOLS:
        return [FieldError.unsupported(path, protocol, PROTOCOLS)]
    return []


def _validate_address(address: EndpointAddress, path: str) -> Errors:
    errs = _invalid_each(f"{path}.ip", address.ip, naming.is_valid_ip(address.ip))
    if address.hostname:
        errs += _invalid_each(f"{path}.hostname", address.hostname, naming.is_dns1123_label(address.hostname))
    if address.node_name is not None:
        errs += _invalid_each(f"{path}.nodeName", address.node_name, naming.is_dns1123_subdomain(address.node_name))
    if errs:
        return errs  # a malformed address is not also reported as a special one
    return _invalid_each(f"{path}.ip", address.ip, naming.non_special_ip(address.ip))


def _validate_endpoint_port(port: EndpointPort, require_name: bool, path: str) -> Errors:
    errs: Errors = []
    if require_name and not port.name:
        errs.append(FieldError.required(f"{path}.name"))
    elif port.name:
        errs += _invalid_each(f"{path}.name", port.name, naming.is_dns1123_label(port.name))
    errs += _invalid_each(f"{path}.port", port.port, naming.is_valid_port_num(port.port))
    errs += _protocol(f"{path}.protocol", port.protocol)
    if port.app_protocol is not None:
        errs += _invalid_each(f"{path}.appProtocol", port.app_protocol, naming.is_qualified_name(port.app_protocol))
    return errs


def validate_endpoints(ep: Endpoints) -> Errors:
    """ValidateEndpoints: a DNS-1123 subdomain name and well-formed subsets."""
    errs = validate_object_meta(ep.metadata, True, naming.is_dns1123_subdomain)
    for i, subset in enumerate(ep.subsets):
        path = f"subsets[{i}]"
        if not subset.addresses and not subset.not_ready_addresses:
            errs.append(FieldError.required(path, "must specify `addresses` or `notReadyAddresses`"))
        for j, address in enumerate(subset.addresses):
            errs += _validate_address(address, f"{path}.addresses[{j}]")
        for j, address in enumerate(subset.not_ready_addresses):
            errs += _validate_address(address, f"{path}.notReadyAddresses[{j}]")
        for j, port in enumerate(subset.ports):
            errs += _validate_endpoint_port(port, len(subset.ports) > 1, f"{path}.ports[{j}]")
    return errs


def _slice_address(address_type: str, address: str, path: str) -> Errors:
    if address_type == "IPv4":
        problems = naming.is_valid_ipv4(address)
    elif address_type == "IPv6":
        problems = naming.is_valid_ipv6(address)
    elif address_type == "FQDN":
        if not address:
            return [FieldError.required(path)]
        problem = naming.fqdn_problem(address)
        return [] if problem is None else [FieldError.invalid(path, problem[0], problem[1])]
    else:
        return []  # unknown types are reported once, on addressType
    return _invalid_each(path, address, problems or naming.non_special_ip(address))


def _validate_slice_endpoints(eps: EndpointSlice) -> Errors:
    if len(eps.endpoints) > MAX_SLICE_ENDPOINTS:
        return [too_many("endpoints", len(eps.endpoints), MAX_SLICE_ENDPOINTS)]
    errs: Errors = []
    for i, endpoint in enumerate(eps.endpoints):
        path = f"endpoints[{i}]"
        if not endpoint.addresses:
            errs.append(FieldError.required(f"{path}.addresses", "must contain at least 1 address"))
        elif len(endpoint.addresses) > MAX_ENDPOINT_ADDRESSES:
            errs.append(too_many(f"{path}.addresses", len(endpoint.addresses), MAX_ENDPOINT_ADDRESSES))
        for j, address in enumerate(endpoint.addresses):
            errs += _slice_address(eps.address_type, address, f"{path}.addresses[{j}]")
        if endpoint.node_name is not None:
            errs += _invalid_each(f"{path}.nodeName", endpoint.node_name,
                                  naming.is_dns1123_subdomain(endpoint.node_name))
        topology = endpoint.deprecated_topology
        if len(topology) > MAX_TOPOLOGY_LABELS:
            errs.append(too_many(f"{path}.deprecatedTopology", len(topology), MAX_TOPOLOGY_LABELS))
        errs += validate_labels(topology, f"{path}.deprecatedTopology")
        if endpoint.hostname is not None:
            errs += _invalid_each(f"{path}.hostname", endpoint.hostname, naming.is_dns1123_label(endpoint.hostname))
    return errs


def _validate_slice_ports(eps: EndpointSlice) -> Errors:
    if len(eps.ports) > MAX_SLICE_PORTS:
        return [too_many("ports", len(eps.ports), MAX_SLICE_PORTS)]
    errs: Errors = []
    names: Set[str] = set()
    for i, port in enumerate(eps.ports):
        path = f"ports[{i}]"
        # An unset name is the empty name, so two unnamed ports are duplicates.
        name = port.name or ""
        if name:
            errs += _invalid_each(f"{path}.name", name, naming.is_dns1123_label(name))
        if name in names:
            errs.append(FieldError.duplicate(f"{path}.name", name))
        names.add(name)
        if port.port is not None:
            errs += _invalid_each(f"{path}.port", port.port, naming.is_valid_port_num(port.port))
        errs += _protocol(f"{path}.protocol", port.protocol)
        if port.app_protocol is not None:
            errs += _invalid_each(f"{path}.appProtocol", port.app_protocol,
                                  naming.is_qualified_name(port.app_protocol))
    return errs


def validate_endpoint_slice(eps: EndpointSlice) -> Errors:
    """ValidateEndpointSlice: name, addressType, at most 1000 endpoints of 1-100 addresses, ports."""
    errs = validate_object_meta(eps.metadata, True, naming.is_dns1123_subdomain)
    if not eps.address_type:
        errs.append(FieldError.required("addressType"))
    elif eps.address_type not in ADDRESS_TYPES:
        errs.append(FieldError.unsupported("addressType", eps.address_type, ADDRESS_TYPES))
    return errs + _validate_slice_endpoints(eps) + _validate_slice_ports(eps)


def validate_endpoint_slice_update(old: EndpointSlice, new: EndpointSlice) -> Errors:
    """ValidateEndpointSliceUpdate: as on create, and addressType may not change."""
    errs = validate_endpoint_slice(new)
    if new.address_type != old.address_type:
        errs.append(FieldError.invalid("addressType", new.address_type, "field is immutable"))
    return errs
