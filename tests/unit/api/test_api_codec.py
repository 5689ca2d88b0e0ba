"""Codec: exact round trips of real manifests, strict decoding errors, Go-style omitempty."""

from datetime import datetime, timezone

import pytest
import yaml

from k8slab.api.codec import from_dict, parse_timestamp, to_dict, format_timestamp
from k8slab.api.errors import DecodeError
from k8slab.api.objects import (
    ContainerState,
    ContainerStateRunning,
    ContainerStatus,
    Namespace,
    Node,
    NodeSpec,
    NodeStatus,
    NodeSystemInfo,
    Pod,
    PodIP,
    PodStatus,
)

BUSYBOX = """
apiVersion: v1
kind: Pod
metadata:
  name: busybox1
  labels:
    name: busybox
spec:
  hostname: busybox-1
  subdomain: default-subdomain
  containers:
    - image: busybox:1.28
      command:
        - sleep
        - "3600"
      name: busybox
"""

NGINX = """
apiVersion: v1
kind: Pod
metadata:
  name: nginx
  labels:
    app.kubernetes.io/name: proxy
spec:
  containers:
  - name: nginx
    image: nginx:stable
    ports:
      - containerPort: 80
        name: http-web-svc
"""

RICH = """
apiVersion: v1
kind: Pod
metadata:
  name: rich
  namespace: demo
  annotations: {note: "x"}
spec:
  initContainers:
  - name: init
    image: busybox
    command: [sh, -c, "true"]
  containers:
  - name: app
    image: registry.k8s.io/e2e-test-images/agnhost:2.39
    args: [netexec, --http-port=8080]
    workingDir: /srv
    env:
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: MODE, value: demo}
    envFrom: [{configMapRef: {name: cfg}}]
    ports: [{containerPort: 8080, protocol: TCP, hostPort: 30080, hostIP: 0.0.0.0}]
    resources: {limits: {cpu: 500m, memory: 128Mi}}
    volumeMounts: [{name: data, mountPath: /data}]
    readinessProbe: {httpGet: {path: /healthz, port: 8080}, initialDelaySeconds: 2, periodSeconds: 5}
    livenessProbe: {tcpSocket: {port: 8080}, failureThreshold: 5}
    startupProbe: {exec: {command: [cat, /tmp/ready]}}
    lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}
    securityContext: {runAsUser: 1000}
    imagePullPolicy: IfNotPresent
    stdin: true
    tty: true
  restartPolicy: OnFailure
  nodeSelector: {kubernetes.io/hostname: node1}
  dnsPolicy: None
  dnsConfig:
    nameservers: [1.1.1.1]
    searches: [ns1.svc.cluster-domain.example]
    options: [{name: ndots, value: "2"}, {name: edns0}]
  hostAliases: [{ip: 127.0.0.1, hostnames: [foo.local, bar.local]}]
  tolerations: [{key: k, operator: Exists, effect: NoSchedule}]
  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}}
  volumes: [{name: data, emptyDir: {}}]
  terminationGracePeriodSeconds: 5
  activeDeadlineSeconds: 600
  serviceAccountName: builder
  automountServiceAccountToken: false
  enableServiceLinks: false
  shareProcessNamespace: true
  setHostnameAsFQDN: true
  priorityClassName: high
  readinessGates: [{conditionType: example.com/feature}]
  imagePullSecrets: [{name: regcred}]
  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]
  runtimeClassName: runc
  securityContext: {fsGroup: 2000}
"""


@pytest.mark.parametrize("text", [BUSYBOX, NGINX, RICH], ids=["busybox", "nginx", "rich"])
def test_real_manifests_round_trip_unchanged(text):
    data = yaml.safe_load(text)
    assert to_dict(from_dict(Pod, data)) == data


def test_decoded_busybox_fields():
    pod = from_dict(Pod, yaml.safe_load(BUSYBOX))
    c = pod.spec.containers[0]
    assert (pod.metadata.name, pod.spec.hostname, pod.spec.subdomain) == ("busybox1", "busybox-1", "default-subdomain")
    assert c.command == ("sleep", "3600") and c.image == "busybox:1.28"
    assert pod.metadata.labels == {"name": "busybox"}


def test_nginx_port_decodes_to_dataclass():
    port = from_dict(Pod, yaml.safe_load(NGINX)).spec.containers[0].ports[0]
    assert (port.container_port, port.name, port.protocol) == (80, "http-web-svc", None)


def test_api_version_and_kind_come_first():
    assert list(to_dict(from_dict(Pod, yaml.safe_load(NGINX))))[:2] == ["apiVersion", "kind"]


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"spec": {"containers": [{"name": "a", "imagee": "nginx"}]}},
            'strict decoding error: unknown field "spec.containers[0].imagee"',
        ),
        (
            {"spec": {"containers": [{"name": "a", "portz": [], "ports": [{"containerPort": 1, "nam": "x"}]}]}, "foo": 1},
            'strict decoding error: unknown field "spec.containers[0].portz", '
            'unknown field "spec.containers[0].ports[0].nam", unknown field "foo"',
        ),
        ({"metadata": {"nmae": "x"}}, 'strict decoding error: unknown field "metadata.nmae"'),
        ({"spec": {"ContainerS": []}}, 'strict decoding error: unknown field "spec.ContainerS"'),
    ],
)
def test_unknown_fields_are_reported_together_with_full_paths(data, message):
    with pytest.raises(DecodeError) as err:
        from_dict(Pod, data)
    assert str(err.value) == message


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"spec": {"containers": [{"ports": [{"containerPort": "80"}]}]}},
            "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32",
        ),
        (
            {"spec": {"containers": [{"env": [{"name": "A", "value": 1}]}]}},
            "json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string",
        ),
        (
            {"spec": {"containers": [{"command": ["sleep", 3600]}]}},
            "json: cannot unmarshal number into Go struct field Container.spec.containers.command of type string",
        ),
        (
            {"metadata": {"labels": {"version": 1}}},
            "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string",
        ),
        (
            {"spec": {"containers": {"name": "a"}}},
            "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container",
        ),
        (
            {"spec": "nope"},
            "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec",
        ),
        (
            {"spec": {"hostNetwork": "yes"}},
            "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool",
        ),
        (
            {"spec": {"containers": [{"ports": [{"containerPort": True}]}]}},
            "json: cannot unmarshal bool into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32",
        ),
        (
            {"spec": {"containers": [{"ports": [{"containerPort": 1.5}]}]}},
            "json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32",
        ),
        (
            {"spec": {"terminationGracePeriodSeconds": "30"}},
            "json: cannot unmarshal string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64",
        ),
        (
            {"spec": {"volumes": "data"}},
            "json: cannot unmarshal string into Go struct field PodSpec.spec.volumes of type []v1.Volume",
        ),
    ],
)
def test_wrong_types_fail_like_go(data, message):
    with pytest.raises(DecodeError) as err:
        from_dict(Pod, data)
    assert str(err.value) == message


def test_type_error_wins_over_unknown_fields():
    with pytest.raises(DecodeError, match="cannot unmarshal"):
        from_dict(Pod, {"bogus": 1, "spec": {"priority": "high"}})


def test_null_values_are_treated_as_absent():
    pod = from_dict(Pod, {"metadata": {"name": "x", "labels": None}, "spec": {"containers": None}})
    assert pod.metadata.labels == {} and pod.spec.containers == ()


def test_managed_fields_are_accepted_and_dropped():
    pod = from_dict(Pod, {"metadata": {"name": "x", "managedFields": [{"manager": "kubectl"}], "selfLink": "/x"}})
    assert to_dict(pod) == {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}}


def test_timestamps_parse_and_format():
    pod = from_dict(Pod, {"metadata": {"creationTimestamp": "2026-11-22T10:00:00Z"}})
    assert pod.metadata.creation_timestamp == datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
    assert to_dict(pod)["metadata"]["creationTimestamp"] == "2026-11-22T10:00:00Z"
    assert parse_timestamp("2026-11-22T11:00:00.123456+01:00") == datetime(2026, 11, 22, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5, 999999, tzinfo=timezone.utc)) == "2026-01-02T03:04:05Z"


def test_bad_timestamp_is_a_decode_error():
    with pytest.raises(DecodeError, match='parsing time "yesterday"'):
        from_dict(Pod, {"metadata": {"creationTimestamp": "yesterday"}})


def test_status_always_emits_zero_fields_like_go():
    status = PodStatus(
        phase="Running",
        pod_ip="10.244.1.5",
        pod_ips=(PodIP("10.244.1.5"),),
        container_statuses=(
            ContainerStatus(name="web", state=ContainerState(running=ContainerStateRunning())),
        ),
    )
    out = to_dict(Pod(status=status))["status"]
    assert out["podIP"] == "10.244.1.5" and out["podIPs"] == [{"ip": "10.244.1.5"}]
    assert out["containerStatuses"] == [
        {
            "name": "web",
            "state": {"running": {}},
            "lastState": {},
            "ready": False,
            "restartCount": 0,
            "image": "",
            "imageID": "",
        }
    ]


def test_empty_pod_encodes_to_type_only():
    assert to_dict(Pod()) == {"apiVersion": "v1", "kind": "Pod"}


def test_node_json_names_and_quantities():
    data = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node1"},
        "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"], "taints": [{"key": "k", "effect": "NoSchedule"}]},
        "status": {
            "capacity": {"cpu": 2, "pods": "110"},
            "nodeInfo": {"machineID": "m", "systemUUID": "s", "bootID": "b", "kubeletVersion": "v1.30.0"},
            "addresses": [{"type": "InternalIP", "address": "192.168.0.2"}],
        },
    }
    node = from_dict(Node, data)
    assert node.spec.pod_cidr == "10.244.1.0/24" and node.spec.pod_cidrs == ("10.244.1.0/24",)
    assert node.status.capacity == {"cpu": "2", "pods": "110"}
    assert node.status.node_info.machine_id == "m" and node.status.node_info.boot_id == "b"
    out = to_dict(node)
    assert out["spec"]["podCIDRs"] == ["10.244.1.0/24"]
    assert out["status"]["nodeInfo"]["systemUUID"] == "s"
    assert out["status"]["nodeInfo"]["osImage"] == ""  # NodeSystemInfo fields have no omitempty


def test_node_constructed_in_code_encodes():
    node = Node(spec=NodeSpec(unschedulable=False), status=NodeStatus(node_info=NodeSystemInfo(architecture="amd64")))
    out = to_dict(node)
    assert "spec" not in out  # unschedulable=false is omitempty
    assert out["status"]["nodeInfo"]["architecture"] == "amd64"


def test_to_dict_returns_fresh_containers():
    pod = from_dict(Pod, yaml.safe_load(RICH))
    out = to_dict(pod)
    out["spec"]["affinity"]["nodeAffinity"] = "changed"
    out["metadata"]["annotations"]["note"] = "changed"
    assert pod.spec.affinity["nodeAffinity"] != "changed"
    assert pod.metadata.annotations["note"] == "x"


def test_namespace_round_trip():
    data = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}}
    assert to_dict(from_dict(Namespace, data)) == data
