"""Validation messages, verbatim from the apiserver."""

from dataclasses import replace

import pytest

from k8slab.api.codec import from_dict
from k8slab.api.defaults import apply_defaults
from k8slab.api.objects import Namespace, Node, Pod, new_meta
from k8slab.api.validation import validate, validate_update

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
ENV_MSG = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and "
    "must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for "
    "validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
)


def pod(spec=None, **meta):
    """A defaulted, namespaced pod built from JSON, the way the store sees it before validation."""
    metadata = {"name": "web", "namespace": "default", **meta}
    spec = spec if spec is not None else {"containers": [{"name": "web", "image": "nginx"}]}
    return apply_defaults(from_dict(Pod, {"metadata": metadata, "spec": spec}))


def container(**fields):
    return {"name": "web", "image": "nginx", **fields}


def messages(obj):
    return [str(e) for e in validate(obj)]


def test_valid_pods_have_no_errors():
    assert messages(pod()) == []
    assert messages(pod({"containers": [container(ports=[{"containerPort": 80, "name": "http-web-svc"}])],
                         "hostname": "busybox-1", "subdomain": "default-subdomain"})) == []


@pytest.mark.parametrize(
    "meta, expected",
    [
        ({"name": "My_Pod"}, [f'metadata.name: Invalid value: "My_Pod": {SUBDOMAIN_MSG}']),
        ({"name": "a" * 254}, [f'metadata.name: Invalid value: "{"a" * 254}": must be no more than 253 characters']),
        ({"name": None}, ["metadata.name: Required value: name or generateName is required"]),
        ({"labels": {"app": "bad value"}}, [f'metadata.labels: Invalid value: "bad value": {LABEL_VALUE_MSG}']),
        ({"labels": {"bad key": "v"}}, [f'metadata.labels: Invalid value: "bad key": {NAME_PART_MSG}']),
        ({"labels": {"app": "x" * 64}}, [f'metadata.labels: Invalid value: "{"x" * 64}": must be no more than 63 characters']),
        ({"labels": {"example.com/app": "ok", "app.kubernetes.io/name": "proxy"}}, []),
        ({"annotations": {"/x": "v"}}, ['metadata.annotations: Invalid value: "/x": prefix part must be non-empty']),
        ({"name": None, "generateName": "web-"}, ["metadata.name: Required value: name or generateName is required"]),
    ],
)
def test_pod_metadata(meta, expected):
    assert messages(pod(**meta)) == expected


def test_namespace_names_are_dns_labels():
    def ns(name):
        return apply_defaults(Namespace(metadata=new_meta(name)))

    assert messages(ns("demo")) == []
    assert messages(ns("my.ns")) == [f'metadata.name: Invalid value: "my.ns": {LABEL_MSG}']
    assert messages(ns("a" * 64))[0] == f'metadata.name: Invalid value: "{"a" * 64}": must be no more than 63 characters'


def test_node_names_are_subdomains():
    node = from_dict(Node, {"metadata": {"name": "node1.example"}})
    assert messages(node) == []
    assert messages(replace(node, metadata=replace(node.metadata, name="Node_1"))) == [
        f'metadata.name: Invalid value: "Node_1": {SUBDOMAIN_MSG}'
    ]


@pytest.mark.parametrize(
    "spec, expected",
    [
        ({"containers": []}, ["spec.containers: Required value"]),
        ({"containers": [{"image": "nginx"}]}, ["spec.containers[0].name: Required value"]),
        ({"containers": [{"name": "web"}]}, ["spec.containers[0].image: Required value"]),
        ({"containers": [container(name="Web")]}, [f'spec.containers[0].name: Invalid value: "Web": {LABEL_MSG}']),
        (
            {"containers": [container(), container()]},
            ['spec.containers[1].name: Duplicate value: "web"'],
        ),
        (
            {"initContainers": [container()], "containers": [container()]},
            ['spec.containers[0].name: Duplicate value: "web"'],
        ),
        (
            {"containers": [container(ports=[{"containerPort": 0}])]},
            ["spec.containers[0].ports[0].containerPort: Required value"],
        ),
        (
            {"containers": [container(ports=[{"containerPort": 70000}])]},
            ["spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"],
        ),
        (
            {"containers": [container(ports=[{"containerPort": 80, "name": "http"}, {"containerPort": 81, "name": "http"}])]},
            ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
        ),
        (
            {"containers": [container(ports=[{"containerPort": 80, "name": "-Web--server-long-"}])]},
            [
                'spec.containers[0].ports[0].name: Invalid value: "-Web--server-long-": must be no more than 15 characters',
                'spec.containers[0].ports[0].name: Invalid value: "-Web--server-long-": must contain only '
                "alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                'spec.containers[0].ports[0].name: Invalid value: "-Web--server-long-": must not contain consecutive hyphens',
                'spec.containers[0].ports[0].name: Invalid value: "-Web--server-long-": must not begin or end with a hyphen',
            ],
        ),
        (
            {"containers": [container(ports=[{"containerPort": 80, "name": "8080"}])]},
            ['spec.containers[0].ports[0].name: Invalid value: "8080": must contain at least one letter (a-z)'],
        ),
        (
            {"containers": [container(ports=[{"containerPort": 80, "protocol": "ICMP"}])]},
            ['spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
        ),
        (
            {"containers": [container()], "restartPolicy": "Sometimes"},
            ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
        ),
        (
            {"containers": [container()], "dnsPolicy": "Cluster"},
            ['spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", '
             '"ClusterFirst", "Default", "None"'],
        ),
        (
            {"containers": [container()], "dnsPolicy": "None"},
            ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"],
        ),
        (
            {"containers": [container()], "dnsPolicy": "None", "dnsConfig": {"searches": ["a"]}},
            ["spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when "
             "`dnsPolicy` is None"],
        ),
        (
            {"containers": [container()], "dnsConfig": {"nameservers": ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"]}},
            ['spec.dnsConfig.nameservers: Invalid value: ["1.1.1.1","1.0.0.1","8.8.8.8","8.8.4.4"]: '
             "must not have more than 3 nameservers"],
        ),
        (
            {"containers": [container()], "dnsConfig": {"nameservers": ["dns"]}},
            ['spec.dnsConfig.nameservers[0]: Invalid value: "dns": must be a valid IP address, '
             "(e.g. 10.9.8.7 or 2001:db8::ffff)"],
        ),
        (
            {"containers": [container()], "dnsConfig": {"searches": [f"s{i}.example" for i in range(33)]}},
            ["spec.dnsConfig.searches: Invalid value: [" + ",".join(f'"s{i}.example"' for i in range(33))
             + "]: must not have more than 32 search paths"],
        ),
        (
            {"containers": [container()], "hostname": "Busy_1", "subdomain": "a.b"},
            [f'spec.hostname: Invalid value: "Busy_1": {LABEL_MSG}', f'spec.subdomain: Invalid value: "a.b": {LABEL_MSG}'],
        ),
        (
            {"containers": [container(env=[{"name": "1BAD"}, {"name": ""}])]},
            [f'spec.containers[0].env[0].name: Invalid value: "1BAD": {ENV_MSG}', "spec.containers[0].env[1].name: Required value"],
        ),
        (
            {"containers": [container(readinessProbe={"httpGet": {"port": 80}, "periodSeconds": -1})]},
            ["spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0"],
        ),
        (
            {"containers": [container(livenessProbe={"periodSeconds": 5})]},
            ["spec.containers[0].livenessProbe: Required value: must specify a handler type"],
        ),
        (
            {"containers": [container()], "nodeSelector": {"disk": "fast ssd"}},
            [f'spec.nodeSelector: Invalid value: "fast ssd": {LABEL_VALUE_MSG}'],
        ),
        (
            {"containers": [container()], "activeDeadlineSeconds": 0},
            ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 4294967295, inclusive"],
        ),
        (
            {"containers": [container()], "hostAliases": [{"ip": "nope", "hostnames": ["ok.local"]}]},
            ['spec.hostAliases[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
        ),
        (
            {"containers": [container()], "tolerations": [{"operator": "Equal", "value": "x"}]},
            ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, '
             'which means "match all values and all keys"'],
        ),
    ],
)
def test_pod_spec_messages(spec, expected):
    assert messages(pod(spec)) == expected


def test_all_causes_are_reported_in_order():
    spec = {"containers": [{"name": "Web"}], "restartPolicy": "Sometimes"}
    assert messages(pod(spec, name="My_Pod")) == [
        f'metadata.name: Invalid value: "My_Pod": {SUBDOMAIN_MSG}',
        f'spec.containers[0].name: Invalid value: "Web": {LABEL_MSG}',
        "spec.containers[0].image: Required value",
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]


FORBIDDEN_UPDATE = (
    "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
    "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
    "previously negative)"
)


def _with_spec(p, **changes):
    return replace(p, spec=replace(p.spec, **changes))


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda p: _with_spec(p, containers=(replace(p.spec.containers[0], image="nginx:1.27"),)), []),
        (lambda p: _with_spec(p, active_deadline_seconds=60), []),
        (lambda p: _with_spec(p, tolerations=p.spec.tolerations + ({"key": "k", "operator": "Exists"},)), []),
        (lambda p: replace(p, metadata=replace(p.metadata, labels={"new": "label"})), []),
        (lambda p: _with_spec(p, node_name="node1"), []),  # binding
        (lambda p: _with_spec(p, restart_policy="Never"), [FORBIDDEN_UPDATE]),
        (lambda p: _with_spec(p, tolerations=()), [FORBIDDEN_UPDATE]),
        (
            lambda p: _with_spec(p, containers=(replace(p.spec.containers[0], ports=()),)),
            [FORBIDDEN_UPDATE],
        ),
        (
            lambda p: _with_spec(p, containers=p.spec.containers * 2),
            ["spec.containers: Forbidden: pod updates may not add or remove containers"],
        ),
    ],
)
def test_pod_update_rules(change, expected):
    old = pod({"containers": [container(ports=[{"containerPort": 80}])]})
    assert [str(e) for e in validate_update(old, change(old))] == expected


def test_active_deadline_may_only_shrink():
    old = _with_spec(pod(), active_deadline_seconds=60)
    assert [str(e) for e in validate_update(old, _with_spec(old, active_deadline_seconds=120))] == [
        "spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value"
    ]
