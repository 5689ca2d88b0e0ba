"""Service validation (ValidateService, ValidateServiceUpdate), messages verbatim.

See reference/kubernetes-services.md section 3.2. The order of checks is the apiserver's, so a
Service with several problems lists them as kubectl would.
"""

from __future__ import annotations

from typing import Any, List, Set

from k8slab.api import naming
from k8slab.api.errors import FieldError, GoValue, go_quote, go_strings
from k8slab.api.meta_validation import validate_labels, validate_object_meta
from k8slab.api.service import Service, ServicePort, ServiceSpec
from k8slab.api.service_defaults import externally_accessible

Errors = List[FieldError]

SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
AFFINITIES = ["ClientIP", "None"]
PROTOCOLS = ["SCTP", "TCP", "UDP"]
TRAFFIC_POLICIES = ["Cluster", "Local"]
IP_FAMILIES = ["IPv4", "IPv6"]
IP_FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"]
TRAFFIC_DISTRIBUTIONS = ["PreferClose", "PreferSameNode", "PreferSameZone"]
MAX_AFFINITY_TIMEOUT = 86400
LB_ONLY = "may only be used when `type` is 'LoadBalancer'"


def is_headless(spec: ServiceSpec) -> bool:
    """clusterIP None (checked on clusterIPs, which the apiserver keeps in sync)."""
    return bool(spec.cluster_ips) and spec.cluster_ips[0] == "None"


def needs_health_check(spec: ServiceSpec) -> bool:
    """A LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort."""
    return spec.type == "LoadBalancer" and spec.external_traffic_policy == "Local"


def go_service_port(protocol: str, port: int) -> GoValue:
    """The duplicate-port key as `%#v` prints it (only Protocol and Port are set)."""
    return GoValue(
        f'core.ServicePort{{Name:"", Protocol:{go_quote(protocol)}, AppProtocol:(*string)(nil), '
        f'Port:{port}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:""}}, NodePort:0}}'
    )


def _invalid_each(path: str, value: Any, messages: List[str]) -> Errors:
    return [FieldError.invalid(path, value, msg) for msg in messages]


def _port_num_or_name(path: str, value: Any) -> Errors:
    if isinstance(value, str):
        return _invalid_each(path, value, naming.is_valid_port_name(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return _invalid_each(path, value, naming.is_valid_port_num(value))
    return [FieldError("Internal error", path, detail=f"unknown type: {type(value).__name__}")]


def _validate_port(port: ServicePort, require_name: bool, names: Set[str], path: str) -> Errors:
    errs: Errors = []
    if require_name and not port.name:
        errs.append(FieldError.required(f"{path}.name"))
    elif port.name:
        errs += _invalid_each(f"{path}.name", port.name, naming.is_dns1123_label(port.name))
        if port.name in names:
            errs.append(FieldError.duplicate(f"{path}.name", port.name))
        names.add(port.name)
    errs += _invalid_each(f"{path}.port", port.port, naming.is_valid_port_num(port.port))
    if not port.protocol:
        errs.append(FieldError.required(f"{path}.protocol"))
    elif port.protocol not in PROTOCOLS:
        errs.append(FieldError.unsupported(f"{path}.protocol", port.protocol, PROTOCOLS))
    errs += _port_num_or_name(f"{path}.targetPort", port.target_port)
    if port.app_protocol is not None:
        errs += _invalid_each(f"{path}.appProtocol", port.app_protocol, naming.is_qualified_name(port.app_protocol))
    # v1 tolerates any targetPort on headless Services, so nothing is checked against `port` here.
    return errs


def _validate_type_rules(spec: ServiceSpec) -> Errors:
    errs: Errors = []
    if not spec.ports and not is_headless(spec) and spec.type != "ExternalName":
        errs.append(FieldError.required("spec.ports"))
    if spec.type in ("LoadBalancer", "NodePort") and is_headless(spec):
        detail = f"may not be set to 'None' for {spec.type} services"
        errs.append(FieldError.invalid("spec.clusterIPs[0]", spec.cluster_ips[0], detail))
    elif spec.type == "ExternalName":
        if spec.cluster_ips:
            errs.append(FieldError.forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        if spec.ip_families:
            errs.append(FieldError.forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
        if spec.ip_family_policy is not None:
            errs.append(FieldError.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
        # A CNAME may end in a dot (fully qualified); the check is on the name without it.
        cname = spec.external_name or ""
        cname = cname[:-1] if cname.endswith(".") else cname
        if cname:
            errs += _invalid_each("spec.externalName", cname, naming.is_dns1123_subdomain(cname))
        else:
            errs.append(FieldError.required("spec.externalName"))
    return errs


def _validate_affinity(spec: ServiceSpec) -> Errors:
    errs: Errors = []
    path = "spec.sessionAffinityConfig"
    if not spec.session_affinity:
        errs.append(FieldError.required("spec.sessionAffinity"))
    elif spec.session_affinity not in AFFINITIES:
        errs.append(FieldError.unsupported("spec.sessionAffinity", spec.session_affinity, AFFINITIES))
    if spec.session_affinity == "ClientIP":
        config = spec.session_affinity_config
        detail = "when session affinity type is ClientIP"
        if config is None:
            errs.append(FieldError.required(path, detail))
        elif config.client_ip is None:
            errs.append(FieldError.required(f"{path}.clientIP", detail))
        elif config.client_ip.timeout_seconds is None:
            errs.append(FieldError.required(f"{path}.clientIP.timeoutSeconds", detail))
        else:
            timeout = config.client_ip.timeout_seconds
            if not 0 < timeout <= MAX_AFFINITY_TIMEOUT:
                errs.append(FieldError.invalid(f"{path}.clientIP.timeoutSeconds", timeout,
                                               f"must be greater than 0 and less than {MAX_AFFINITY_TIMEOUT}"))
    elif spec.session_affinity == "None" and spec.session_affinity_config is not None:
        errs.append(FieldError.forbidden(path, "must not be set when session affinity is None"))
    return errs


def validate_cluster_ips_related(spec: ServiceSpec) -> Errors:
    """ValidateServiceClusterIPsRelatedFields: clusterIP(s), ipFamilies and ipFamilyPolicy on their own."""
    if spec.type == "ExternalName":
        return []  # all must be unset; checked with the other ExternalName rules
    errs: Errors = []
    ips_path = "spec.clusterIPs"
    if spec.cluster_ip:
        if not spec.cluster_ips:
            errs.append(FieldError.required(ips_path))
        elif spec.cluster_ips[0] != spec.cluster_ip:
            errs.append(FieldError.invalid(ips_path, go_strings(spec.cluster_ips),
                                           "first value must match `clusterIP`"))
    elif spec.cluster_ips:
        errs.append(FieldError.invalid(ips_path, go_strings(spec.cluster_ips),
                                       "must be empty when `clusterIP` is not specified"))
    seen: Set[str] = set()
    for i, family in enumerate(spec.ip_families):
        if family not in IP_FAMILIES:
            errs.append(FieldError.unsupported(f"spec.ipFamilies[{i}]", family, IP_FAMILIES))
        if family in seen:
            errs.append(FieldError.duplicate(f"spec.ipFamilies[{i}]", family))
        seen.add(family)
    if spec.ip_family_policy is not None and spec.ip_family_policy not in IP_FAMILY_POLICIES:
        errs.append(FieldError.unsupported("spec.ipFamilyPolicy", spec.ip_family_policy, IP_FAMILY_POLICIES))
    bad_ips = False
    for i, ip in enumerate(spec.cluster_ips):
        if i == 0 and ip == "None":
            if len(spec.cluster_ips) > 1:
                bad_ips = True
                errs.append(FieldError.invalid(ips_path, go_strings(spec.cluster_ips),
                                               "'None' must be the first and only value"))
            continue
        problems = naming.is_valid_ip(ip)
        bad_ips = bad_ips or bool(problems)
        errs += _invalid_each(f"{ips_path}[{i}]", ip, problems)
    if len(spec.cluster_ips) > 2:
        errs.append(FieldError.invalid(ips_path, go_strings(spec.cluster_ips), "may only hold up to 2 values"))
    if bad_ips:
        return errs  # family checks on bad addresses would only add noise
    if len(spec.cluster_ips) > 1:
        versions = [naming.parse_ip(ip).version for ip in spec.cluster_ips]  # type: ignore[union-attr]
        if sorted(versions) != [4, 6]:
            errs.append(FieldError.invalid(ips_path, go_strings(spec.cluster_ips),
                                           "may specify no more than one IP for each IP family"))
    if not is_headless(spec):
        for i, (ip, family) in enumerate(zip(spec.cluster_ips, spec.ip_families)):
            v6 = naming.parse_ip(ip).version == 6  # type: ignore[union-attr]
            if family == "IPv4" and v6:
                errs.append(FieldError.invalid(f"{ips_path}[{i}]", ip,
                                               f"expected an IPv4 value as indicated by `ipFamilies[{i}]`"))
            if family == "IPv6" and not v6:
                errs.append(FieldError.invalid(f"{ips_path}[{i}]", ip,
                                               f"expected an IPv6 value as indicated by `ipFamilies[{i}]`"))
    return errs


def _validate_ports_unique(spec: ServiceSpec) -> Errors:
    errs: Errors = []
    if spec.type == "ClusterIP":
        for i, port in enumerate(spec.ports):
            if port.node_port:
                errs.append(FieldError.forbidden(f"spec.ports[{i}].nodePort",
                                                 "may not be used when `type` is 'ClusterIP'"))
    node_ports: Set[Any] = set()
    for i, port in enumerate(spec.ports):
        if not port.node_port:
            continue
        if (port.protocol, port.node_port) in node_ports:
            errs.append(FieldError.duplicate(f"spec.ports[{i}].nodePort", port.node_port))
        node_ports.add((port.protocol, port.node_port))
    ports: Set[Any] = set()
    for i, port in enumerate(spec.ports):
        if (port.protocol, port.port) in ports:
            errs.append(FieldError.duplicate(f"spec.ports[{i}]", go_service_port(port.protocol or "", port.port)))
        ports.add((port.protocol, port.port))
    return errs


def _validate_load_balancer_fields(spec: ServiceSpec) -> Errors:
    errs: Errors = []
    if spec.load_balancer_source_ranges:
        # The capital L is the apiserver's own (a field path written by hand long ago).
        path = "spec.LoadBalancerSourceRanges"
        if spec.type != "LoadBalancer":
            errs.append(FieldError.forbidden(path, LB_ONLY))
        for i, cidr in enumerate(spec.load_balancer_source_ranges):
            errs += _invalid_each(f"{path}[{i}]", cidr.strip(), naming.is_valid_cidr(cidr.strip()))
    if spec.allocate_load_balancer_node_ports is not None and spec.type != "LoadBalancer":
        errs.append(FieldError.forbidden("spec.allocateLoadBalancerNodePorts", LB_ONLY))
    if spec.type == "LoadBalancer" and spec.allocate_load_balancer_node_ports is None:
        errs.append(FieldError.required("allocateLoadBalancerNodePorts"))
    if spec.load_balancer_class is not None:
        if spec.type == "LoadBalancer":
            errs += _invalid_each("spec.loadBalancerClass", spec.load_balancer_class,
                                  naming.is_qualified_name(spec.load_balancer_class))
        else:
            errs.append(FieldError.forbidden("spec.loadBalancerClass", LB_ONLY))
    return errs


def _validate_traffic_policies(spec: ServiceSpec) -> Errors:
    errs: Errors = []
    etp = spec.external_traffic_policy
    if not externally_accessible(spec):
        if etp:
            errs.append(FieldError.invalid("spec.externalTrafficPolicy", etp,
                                           "may only be set for externally-accessible services"))
    elif not etp:
        errs.append(FieldError.required("spec.externalTrafficPolicy"))
    elif etp not in TRAFFIC_POLICIES:
        errs.append(FieldError.unsupported("spec.externalTrafficPolicy", etp, TRAFFIC_POLICIES))
    hc = spec.health_check_node_port
    if not needs_health_check(spec):
        if hc:
            errs.append(FieldError.invalid("spec.healthCheckNodePort", hc,
                                           "may only be set when `type` is 'LoadBalancer' and "
                                           "`externalTrafficPolicy` is 'Local'"))
    elif not hc:
        errs.append(FieldError.required("spec.healthCheckNodePort"))
    else:
        errs += _invalid_each("spec.healthCheckNodePort", hc, naming.is_valid_port_num(hc))
    itp = spec.internal_traffic_policy
    if itp is None and spec.type in ("ClusterIP", "NodePort", "LoadBalancer"):
        errs.append(FieldError.required("spec.internalTrafficPolicy"))
    if itp is not None and itp not in TRAFFIC_POLICIES:
        errs.append(FieldError.unsupported("spec.internalTrafficPolicy", itp, TRAFFIC_POLICIES))
    td = spec.traffic_distribution
    if td is not None and td not in TRAFFIC_DISTRIBUTIONS:
        errs.append(FieldError.unsupported("spec.trafficDistribution", td, TRAFFIC_DISTRIBUTIONS))
    return errs


def validate_service(svc: Service) -> Errors:
    """ValidateService, in the apiserver's order."""
    spec = svc.spec
    errs = validate_object_meta(svc.metadata, True, naming.is_dns1035_label)
    errs += _validate_type_rules(spec)
    names: Set[str] = set()
    for i, port in enumerate(spec.ports):
        errs += _validate_port(port, len(spec.ports) > 1, names, f"spec.ports[{i}]")
    errs += validate_labels(spec.selector, "spec.selector")
    errs += _validate_affinity(spec)
    errs += validate_cluster_ips_related(spec)
    for i, ip in enumerate(spec.external_ips):
        problems = naming.is_valid_ip(ip)
        errs += _invalid_each(f"spec.externalIPs[{i}]", ip, problems or naming.non_special_ip(ip))
    if not spec.type:
        errs.append(FieldError.required("spec.type"))
    elif spec.type not in SERVICE_TYPES:
        errs.append(FieldError.unsupported("spec.type", spec.type, SERVICE_TYPES))
    errs += _validate_ports_unique(spec)
    errs += _validate_load_balancer_fields(spec)
    return errs + _validate_traffic_policies(spec)


def _cluster_ip_changes(old: ServiceSpec, new: ServiceSpec) -> Errors:
    """validateUpgradeDowngradeClusterIPs for a single-stack cluster: the primary IP never changes."""
    if "ExternalName" in (old.type, new.type) or (is_headless(old) and is_headless(new)):
        return []
    path = "spec.clusterIPs[0]"
    if not new.cluster_ips and old.cluster_ips:
        return [FieldError.invalid(path, go_strings(new.cluster_ips), "primary clusterIP can not be unset")]
    for i, (was, now) in enumerate(zip(old.cluster_ips, new.cluster_ips)):
        if was != now:
            return [FieldError.invalid(f"spec.clusterIPs[{i}]", go_strings(new.cluster_ips), "may not change once set")]
    return []


def validate_service_update(old: Service, new: Service) -> Errors:
    """ValidateServiceUpdate: what may not change, then everything ValidateService checks."""
    errs = _cluster_ip_changes(old.spec, new.spec)
    if old.spec.type == "LoadBalancer" and new.spec.type == "LoadBalancer":
        if old.spec.load_balancer_class != new.spec.load_balancer_class:
            errs.append(FieldError.invalid("spec.loadBalancerClass", new.spec.load_balancer_class,
                                           "may not change once set"))
    if needs_health_check(old.spec) and needs_health_check(new.spec):
        was, now = old.spec.health_check_node_port, new.spec.health_check_node_port
        if was and now and was != now:
            errs.append(FieldError.forbidden("spec.healthCheckNodePort", "field is immutable"))
    return errs + validate_service(svc=new)
