"""`kubectl describe deployment|replicaset|statefulset|daemonset`: golden text, exact spacing."""

from __future__ import annotations

from test_views_apps_samples import daemon_set, deployment, owned_pod, replica_set, stateful_set
from views_samples import NOW

from k8slab.views.describe_apps import (describe_daemon_set, describe_deployment, describe_replica_set,
                                        describe_stateful_set, pod_status_counts, split_replica_sets)

POD_TEMPLATE_WEB = (
    "Pod Template:\n"
    "  Labels:  app=web\n"
    "  Containers:\n"
    "   nginx:\n"
    "    Image:         nginx:1.25\n"
    "    Port:          80/TCP\n"
    "    Host Port:     0/TCP\n"
    "    Environment:   <none>\n"
    "    Mounts:        <none>\n"
    "  Volumes:         <none>\n"
    "  Node-Selectors:  <none>\n"
    "  Tolerations:     <none>\n"
)
EVENT = {"type": "Normal", "reason": "ScalingReplicaSet", "message": "Scaled up replica set web-5d78c9869d from 0 to 3",
         "source": {"component": "deployment-controller"}, "firstTimestamp": "2026-11-22T10:00:00Z",
         "lastTimestamp": "2026-11-22T10:00:00Z", "count": 1}


def test_describe_deployment():
    d = deployment("web")
    d["status"]["conditions"] = [
        {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
        {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
    ]
    sets = [replica_set("web-5d78c9869d", d), replica_set("web-7c5ddbdf54", d, replicas=0, image="nginx:1.24")]
    assert describe_deployment(d, replica_sets=sets, events=[EVENT], now=NOW) == (
        "Name:                   web\n"
        "Namespace:              default\n"
        "CreationTimestamp:      Sun, 22 Nov 2026 10:00:00 +0000\n"
        "Labels:                 app=web\n"
        "Annotations:            deployment.kubernetes.io/revision: 1\n"
        "Selector:               app=web\n"
        "Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable\n"
        "StrategyType:           RollingUpdate\n"
        "MinReadySeconds:        0\n"
        "RollingUpdateStrategy:  25% max unavailable, 25% max surge\n"
        + POD_TEMPLATE_WEB +
        "Conditions:\n"
        "  Type           Status  Reason\n"
        "  ----           ------  ------\n"
        "  Available      True    MinimumReplicasAvailable\n"
        "  Progressing    True    NewReplicaSetAvailable\n"
        "OldReplicaSets:  <none>\n"
        "NewReplicaSet:   web-5d78c9869d (3/3 replicas created)\n"
        "Events:\n"
        "  Type    Reason             Age   From                   Message\n"
        "  ----    ------             ----  ----                   -------\n"
        "  Normal  ScalingReplicaSet  5m    deployment-controller  Scaled up replica set web-5d78c9869d from 0 to 3\n"
    )


def test_deployment_mid_rollout_lists_old_replica_sets_with_pods():
    d = deployment("web")
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
    old_one = replica_set("web-5d78c9869d", d, replicas=2)
    new_one = replica_set("web-6b9f7c8d4e", d, replicas=2, image="nginx:1.26")
    stranger = replica_set("web-1111111111", d, replicas=1, image="nginx:1.26")
    stranger["metadata"]["ownerReferences"][0]["uid"] = "someone-else"
    old, new = split_replica_sets(d, [new_one, old_one, stranger])
    assert [rs["metadata"]["name"] for rs in old] == ["web-5d78c9869d"]
    assert new is new_one
    text = describe_deployment(d, replica_sets=[new_one, old_one], events=None, now=NOW)
    # Without conditions the lines stay in the Pod Template's alignment block, as in kubectl.
    assert text.endswith("  Tolerations:     <none>\n"
                         "OldReplicaSets:    web-5d78c9869d (2/2 replicas created)\n"
                         "NewReplicaSet:     web-6b9f7c8d4e (2/2 replicas created)\n")


def test_describe_recreate_deployment_has_no_rolling_line():
    d = deployment("web")
    d["spec"]["strategy"] = {"type": "Recreate"}
    text = describe_deployment(d, now=NOW)
    assert "StrategyType:       Recreate\nMinReadySeconds:    0\nPod Template:\n" in text
    assert "RollingUpdateStrategy" not in text
    assert text.endswith("OldReplicaSets:    <none>\nNewReplicaSet:     <none>\nEvents:            <none>\n")


def test_describe_replica_set():
    d = deployment("web")
    rs = replica_set("web-5d78c9869d", d)
    labels = rs["metadata"]["labels"]
    pods = [owned_pod("web-5d78c9869d-a", rs, labels, "Running"), owned_pod("web-5d78c9869d-b", rs, labels, "Running"),
            owned_pod("web-5d78c9869d-c", rs, labels, "Pending"), owned_pod("other", d, labels, "Running")]
    assert describe_replica_set(rs, pods=pods, now=NOW) == (
        "Name:           web-5d78c9869d\n"
        "Namespace:      default\n"
        "Selector:       app=web,pod-template-hash=5d78c9869d\n"
        "Labels:         app=web\n"
        "                pod-template-hash=5d78c9869d\n"
        "Annotations:    <none>\n"
        "Controlled By:  Deployment/web\n"
        "Replicas:       3 current / 3 desired\n"
        "Pods Status:    2 Running / 1 Waiting / 0 Succeeded / 0 Failed\n"
        "Pod Template:\n"
        "  Labels:  app=web\n"
        "           pod-template-hash=5d78c9869d\n"
        "  Containers:\n"
        "   nginx:\n"
        "    Image:         nginx:1.25\n"
        "    Port:          80/TCP\n"
        "    Host Port:     0/TCP\n"
        "    Environment:   <none>\n"
        "    Mounts:        <none>\n"
        "  Volumes:         <none>\n"
        "  Node-Selectors:  <none>\n"
        "  Tolerations:     <none>\n"
        "Events:            <none>\n"
    )


def test_describe_stateful_set():
    sts = stateful_set()
    pods = [owned_pod("db-0", sts, {"app": "db"}, "Running"), owned_pod("db-1", sts, {"app": "db"}, "Pending")]
    assert describe_stateful_set(sts, pods=pods, events=None, now=NOW) == (
        "Name:               db\n"
        "Namespace:          default\n"
        "CreationTimestamp:  Sun, 22 Nov 2026 09:05:00 +0000\n"
        "Selector:           app=db\n"
        "Labels:             <none>\n"
        "Annotations:        <none>\n"
        "Replicas:           2 desired | 2 total\n"
        "Update Strategy:    RollingUpdate\n"
        "  Partition:        0\n"
        "Pods Status:        1 Running / 1 Waiting / 0 Succeeded / 0 Failed\n"
        "Pod Template:\n"
        "  Labels:  app=db\n"
        "  Containers:\n"
        "   nginx:\n"
        "    Image:         nginx:1.25\n"
        "    Port:          80/TCP\n"
        "    Host Port:     0/TCP\n"
        "    Environment:   <none>\n"
        "    Mounts:        <none>\n"
        "  Volumes:         <none>\n"
        "  Node-Selectors:  <none>\n"
        "  Tolerations:     <none>\n"
        "Volume Claims:\n"
        "  Name:          data\n"
        "  StorageClass:  \n"
        "  Labels:        <none>\n"
        "  Annotations:   <none>\n"
        "  Capacity:      1Gi\n"
        "  Access Modes:  [ReadWriteOnce]\n"
    )


def test_describe_daemon_set():
    ds = daemon_set()
    assert describe_daemon_set(ds, events=None, now=NOW) == (
        "Name:           agent\n"
        "Selector:       k8s-app=agent\n"
        "Node-Selector:  kubernetes.io/os=linux\n"
        "Labels:         k8s-app=agent\n"
        "Annotations:    deprecated.daemonset.template.generation: 1\n"
        "Desired Number of Nodes Scheduled: 3\n"
        "Current Number of Nodes Scheduled: 3\n"
        "Number of Nodes Scheduled with Up-to-date Pods: 3\n"
        "Number of Nodes Scheduled with Available Pods: 2\n"
        "Number of Nodes Misscheduled: 0\n"
        "Pods Status:  0 Running / 0 Waiting / 0 Succeeded / 0 Failed\n"
        "Pod Template:\n"
        "  Labels:  k8s-app=agent\n"
        "  Containers:\n"
        "   nginx:\n"
        "    Image:         nginx:1.25\n"
        "    Port:          80/TCP\n"
        "    Host Port:     0/TCP\n"
        "    Environment:   <none>\n"
        "    Mounts:        <none>\n"
        "  Volumes:         <none>\n"
        "  Node-Selectors:  kubernetes.io/os=linux\n"
        "  Tolerations:     <none>\n"
    )


def test_pod_counts_need_the_controller_and_the_selector():
    ds = daemon_set()
    pods = [owned_pod("a", ds, {"k8s-app": "agent"}, "Failed"), owned_pod("b", ds, {"k8s-app": "x"}, "Running"),
            owned_pod("c", ds, {"k8s-app": "agent"}, "Succeeded")]
    assert pod_status_counts(ds, pods) == (0, 0, 1, 1)
