"""`kubectl get` tables: columns, decoration flags and exact spacing."""

from __future__ import annotations

import pytest
from views_samples import NOW, busybox_pod, nginx_pod, node, with_state

from k8slab.views.tables import (Column, format_labels, no_resources_message, register_table,
                                 render_table)


def crashing_pod():
    p = with_state(nginx_pod(), {"waiting": {"reason": "CrashLoopBackOff"}}, restarts=3,
                   last_state={"terminated": {"exitCode": 1, "reason": "Error",
                                              "finishedAt": "2026-11-22T10:04:19Z"}})
    p["metadata"]["name"] = "web-7d4b9c8f5-x2k9p"
    p["metadata"]["labels"] = {"app": "web", "pod-template-hash": "7d4b9c8f5"}
    return p


def test_get_pods():
    assert render_table("Pod", [nginx_pod(), busybox_pod(), crashing_pod()], now=NOW) == (
        "NAME                  READY   STATUS             RESTARTS      AGE\n"
        "nginx                 1/1     Running            0             5m\n"
        "busybox               1/1     Running            0             5m\n"
        "web-7d4b9c8f5-x2k9p   0/1     CrashLoopBackOff   3 (41s ago)   5m\n"
    )


def test_get_pods_wide():
    pending = nginx_pod()
    pending["metadata"]["name"] = "pending"
    del pending["spec"]["nodeName"]
    pending["status"] = {"phase": "Pending"}
    assert render_table("pod", [nginx_pod(), pending], now=NOW, wide=True) == (
        "NAME      READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES\n"
        "nginx     1/1     Running   0          5m    10.244.1.2   node1    <none>           <none>\n"
        "pending   0/1     Pending   0          5m    <none>       <none>   <none>           <none>\n"
    )


def test_all_namespaces_and_show_labels():
    dns = busybox_pod()
    dns["metadata"].update(name="coredns-6f6b679f8f-4mzqv", namespace="kube-system",
                           labels={"pod-template-hash": "6f6b679f8f", "k8s-app": "kube-dns"})
    assert render_table("Pod", [nginx_pod(), dns], now=NOW, all_namespaces=True, show_labels=True) == (
        "NAMESPACE     NAME                       READY   STATUS    RESTARTS   AGE   LABELS\n"
        "default       nginx                      1/1     Running   0          5m    run=nginx\n"
        "kube-system   coredns-6f6b679f8f-4mzqv   1/1     Running   0          5m    "
        "k8s-app=kube-dns,pod-template-hash=6f6b679f8f\n"
    )


def test_label_columns_use_last_path_segment_and_blank_when_missing():
    dns = busybox_pod()
    dns["metadata"]["labels"] = {"app.kubernetes.io/name": "dns"}
    out = render_table("Pod", [dns, nginx_pod()], now=NOW, label_columns=["app.kubernetes.io/name", "run"])
    assert out == (
        "NAME      READY   STATUS    RESTARTS   AGE   NAME   RUN\n"
        "busybox   1/1     Running   0          5m    dns    \n"
        "nginx     1/1     Running   0          5m           nginx\n"
    )


def test_no_headers_and_with_kind():
    assert render_table("Pod", [nginx_pod()], now=NOW, no_headers=True, with_kind=True) == (
        "pod/nginx   1/1   Running   0     5m\n"
    )


def test_empty_list_prints_nothing_and_message_goes_to_stderr():
    assert render_table("Pod", [], now=NOW) == ""
    assert no_resources_message("default") == "No resources found in default namespace.\n"
    assert no_resources_message(None) == "No resources found\n"


def test_get_nodes():
    cp = node("node1", "172.18.0.2", roles=["control-plane"], created="2026-11-20T10:00:00Z")
    down = node("node2", "172.18.0.3", ready="False")
    cordoned = node("node3", "172.18.0.4", unschedulable=True)
    silent = node("node4", "172.18.0.5", ready="Unknown")
    fresh = node("node5", "172.18.0.6")
    fresh["status"]["conditions"] = []
    assert render_table("Node", [cp, down, cordoned, silent, fresh], now=NOW) == (
        "NAME    STATUS                     ROLES           AGE   VERSION\n"
        "node1   Ready                      control-plane   2d    v1.31.0\n"
        "node2   NotReady                   <none>          65m   v1.31.0\n"
        "node3   Ready,SchedulingDisabled   <none>          65m   v1.31.0\n"
        "node4   NotReady                   <none>          65m   v1.31.0\n"
        "node5   Unknown                    <none>          65m   v1.31.0\n"
    )


def test_get_nodes_wide_ignores_all_namespaces():
    n = node("node1", "172.18.0.2")
    n["status"]["nodeInfo"]["osImage"] = ""
    out = render_table("Node", [n], now=NOW, wide=True, all_namespaces=True)
    assert out == (
        "NAME    STATUS   ROLES    AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE    KERNEL-VERSION   "
        "CONTAINER-RUNTIME\n"
        "node1   Ready    <none>   65m   v1.31.0   172.18.0.2    <none>        <unknown>   6.18.0           "
        "containerd://1.7.18\n"
    )


def test_roles_from_both_label_styles():
    n = node("node1", "172.18.0.2", roles=["worker", "control-plane"])
    n["metadata"]["labels"]["kubernetes.io/role"] = "infra"
    assert render_table("Node", [n], now=NOW, no_headers=True).split()[2] == "control-plane,infra,worker"


def test_namespaces():
    namespaces = [
        {"apiVersion": "v1", "kind": "Namespace", "status": {"phase": "Active"},
         "metadata": {"name": "default", "creationTimestamp": "2026-11-20T10:00:00Z"}},
        {"apiVersion": "v1", "kind": "Namespace", "status": {"phase": "Terminating"},
         "metadata": {"name": "kube-system", "creationTimestamp": "2026-11-22T10:03:00Z"}},
    ]
    assert render_table("Namespace", namespaces, now=NOW) == (
        "NAME          STATUS        AGE\n"
        "default       Active        2d\n"
        "kube-system   Terminating   2m\n"
    )


def test_unknown_kind_falls_back_to_name_and_age():
    obj = {"apiVersion": "example.com/v1", "kind": "Widget",
           "metadata": {"name": "w1", "namespace": "default", "creationTimestamp": "2026-11-22T10:04:00Z"}}
    assert render_table("Widget", [obj], now=NOW) == "NAME   AGE\nw1     60s\n"
    assert render_table("Widget", [obj], now=NOW, all_namespaces=True, with_kind=True) == (
        "NAMESPACE   NAME                    AGE\n"
        "default     widget.example.com/w1   60s\n"
    )


def test_new_kinds_are_added_by_declaring_columns():
    register_table("Gadget", [Column("Name"), Column("Size"), Column("Color", wide=True)],
                   lambda o, now: [o["metadata"]["name"], str(o["size"]), o["color"]])
    obj = {"kind": "Gadget", "metadata": {"name": "g"}, "size": 3, "color": "red"}
    assert render_table("Gadget", [obj], now=NOW) == "NAME   SIZE\ng      3\n"
    assert render_table("Gadget", [obj], now=NOW, wide=True) == "NAME   SIZE   COLOR\ng      3      red\n"


def test_cells_are_cut_at_line_breaks():
    register_table("Note", [Column("Name"), Column("Text")], lambda o, now: [o["name"], o["text"]])
    assert render_table("Note", [{"name": "n", "text": "one\ntwo"}], now=NOW) == "NAME   TEXT\nn      one...\n"


@pytest.mark.parametrize("labels, expected", [
    (None, "<none>"), ({}, "<none>"), ({"b": "2", "a": "1"}, "a=1,b=2"), ({"app": ""}, "app="),
])
def test_format_labels(labels, expected):
    assert format_labels(labels) == expected
