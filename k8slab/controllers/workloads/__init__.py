"""Workload controllers: Deployments, ReplicaSets, StatefulSets, DaemonSets and their cascade deletion."""

from k8slab.controllers.workloads.daemonsets import DaemonSetController
from k8slab.controllers.workloads.deployments import DeploymentController
from k8slab.controllers.workloads.gc import GarbageCollector
from k8slab.controllers.workloads.replicasets import ReplicaSetController
from k8slab.controllers.workloads.statefulsets import StatefulSetController


def workload_controllers(store) -> list:
    """Every workload control loop, ready to start."""
    return [DeploymentController(store), ReplicaSetController(store), StatefulSetController(store),
            DaemonSetController(store), GarbageCollector(store)]


__all__ = ["DaemonSetController", "DeploymentController", "GarbageCollector", "ReplicaSetController",
           "StatefulSetController", "workload_controllers"]
