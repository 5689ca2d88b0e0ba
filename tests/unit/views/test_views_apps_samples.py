"""apps/v1 objects in their JSON dict form, shared by the apps view tests (no tests here)."""

from __future__ import annotations

import copy

CONTAINER = {"name": "nginx", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
             "ports": [{"containerPort": 80, "protocol": "TCP"}], "resources": {},
             "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}


def template(labels: dict, **spec) -> dict:
    return {"metadata": {"labels": dict(labels)},
            "spec": dict({"containers": [dict(CONTAINER)], "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
                          "schedulerName": "default-scheduler", "securityContext": {},
                          "terminationGracePeriodSeconds": 30}, **spec)}


def _meta(name: str, created: str, **extra) -> dict:
    return dict({"name": name, "namespace": "default", "creationTimestamp": created}, **extra)


def deployment(name: str = "web", replicas: int = 3, ready: int = 3, created: str = "2026-11-22T10:00:00Z",
               **status) -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": _meta(name, created, labels={"app": name}, uid="d-uid",
                          annotations={"deployment.kubernetes.io/revision": "1"}),
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": template({"app": name}),
                 "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                 "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
        "status": dict({"replicas": replicas, "updatedReplicas": replicas, "readyReplicas": ready,
                        "availableReplicas": ready, "observedGeneration": 1}, **status),
    }


def replica_set(name: str, deploy: dict, replicas: int = 3, created: str = "2026-11-22T10:00:00Z",
                image: str = "nginx:1.25") -> dict:
    app = deploy["metadata"]["labels"]["app"]
    pod_hash = name.rsplit("-", 1)[-1]
    labels = {"app": app, "pod-template-hash": pod_hash}
    tpl = copy.deepcopy(deploy["spec"]["template"])
    tpl["metadata"]["labels"] = dict(labels)
    tpl["spec"]["containers"][0]["image"] = image
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": _meta(name, created, labels=dict(labels), uid=f"{name}-uid",
                          ownerReferences=[{"apiVersion": "apps/v1", "kind": "Deployment", "name": deploy["metadata"]["name"],
                                            "uid": deploy["metadata"]["uid"], "controller": True}]),
        "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)}, "template": tpl},
        "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas},
    }


def stateful_set(name: str = "db", replicas: int = 2, ready: int = 1) -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": _meta(name, "2026-11-22T09:05:00Z", uid="s-uid"),
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "serviceName": name,
                 "template": template({"app": name}), "podManagementPolicy": "OrderedReady",
                 "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
                 "revisionHistoryLimit": 10,
                 "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                     "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]},
        "status": {"replicas": replicas, "readyReplicas": ready, "availableReplicas": ready},
    }


def daemon_set(name: str = "agent") -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": _meta(name, "2026-11-20T10:05:00Z", labels={"k8s-app": name}, uid="ds-uid",
                          annotations={"deprecated.daemonset.template.generation": "1"}),
        "spec": {"selector": {"matchLabels": {"k8s-app": name}},
                 "template": template({"k8s-app": name}, nodeSelector={"kubernetes.io/os": "linux"}),
                 "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
                 "revisionHistoryLimit": 10},
        "status": {"currentNumberScheduled": 3, "numberMisscheduled": 0, "desiredNumberScheduled": 3,
                   "numberReady": 2, "updatedNumberScheduled": 3, "numberAvailable": 2, "numberUnavailable": 1},
    }


def owned_pod(name: str, owner: dict, labels: dict, phase: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": dict(labels),
                         "ownerReferences": [{"kind": owner["kind"], "name": owner["metadata"]["name"],
                                              "uid": owner["metadata"]["uid"], "controller": True}]},
            "spec": {}, "status": {"phase": phase}}
