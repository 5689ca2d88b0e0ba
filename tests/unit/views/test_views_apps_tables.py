"""`kubectl get deployments|replicasets|statefulsets|daemonsets` and their part of `get all`."""

from __future__ import annotations

from test_views_apps_samples import daemon_set, deployment, replica_set, stateful_set
from views_samples import NOW

from k8slab.views.tables import render_all, render_table
from k8slab.views.tables_apps import format_label_selector, selector_string


def test_get_deployments():
    items = [deployment("web"), deployment("api", replicas=2, ready=1, created="2026-11-22T09:00:00Z")]
    assert render_table("Deployment", items, now=NOW) == (
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n"
        "web    3/3     3            3           5m\n"
        "api    1/2     2            1           65m\n"
    )


def test_get_deployments_wide():
    assert render_table("Deployment", [deployment("web")], now=NOW, wide=True) == (
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES       SELECTOR\n"
        "web    3/3     3            3           5m    nginx        nginx:1.25   app=web\n"
    )


def test_deployment_without_status_counts_zero():
    d = deployment("web")
    d["status"] = {}
    assert render_table("Deployment", [d], now=NOW).splitlines()[1] == "web    0/3     0            0           5m"


def test_get_replicasets_wide():
    rs = replica_set("web-5d78c9869d", deployment("web"))
    assert render_table("ReplicaSet", [rs], now=NOW, wide=True) == (
        "NAME             DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES       SELECTOR\n"
        "web-5d78c9869d   3         3         3       5m    nginx        nginx:1.25   app=web,pod-template-hash=5d78c9869d\n"
    )


def test_get_statefulsets():
    assert render_table("StatefulSet", [stateful_set()], now=NOW) == (
        "NAME   READY   AGE\n"
        "db     1/2     60m\n"
    )
    assert render_table("StatefulSet", [stateful_set()], now=NOW, wide=True) == (
        "NAME   READY   AGE   CONTAINERS   IMAGES\n"
        "db     1/2     60m   nginx        nginx:1.25\n"
    )


def test_get_daemonsets():
    assert render_table("DaemonSet", [daemon_set()], now=NOW) == (
        "NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR            AGE\n"
        "agent   3         3         2       3            2           kubernetes.io/os=linux   2d\n"
    )
    assert render_table("DaemonSet", [daemon_set()], now=NOW, wide=True).splitlines()[0].endswith(
        "AGE   CONTAINERS   IMAGES       SELECTOR")


def test_get_all_names_workloads_with_their_group():
    d = deployment("web")
    text = render_all([("StatefulSet", [stateful_set()]), ("ReplicaSet", [replica_set("web-5d78c9869d", d)]),
                       ("Deployment", [d]), ("DaemonSet", [daemon_set()])], now=NOW)
    assert text == (
        "NAME                   DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR            AGE\n"
        "daemonset.apps/agent   3         3         2       3            2           kubernetes.io/os=linux   2d\n"
        "\n"
        "NAME                  READY   UP-TO-DATE   AVAILABLE   AGE\n"
        "deployment.apps/web   3/3     3            3           5m\n"
        "\n"
        "NAME                             DESIRED   CURRENT   READY   AGE\n"
        "replicaset.apps/web-5d78c9869d   3         3         3       5m\n"
        "\n"
        "NAME                  READY   AGE\n"
        "statefulset.apps/db   1/2     60m\n"
    )


def test_selector_strings():
    selector = {"matchLabels": {"tier": "web", "app": "shop"},
                "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]},
                                     {"key": "zz", "operator": "DoesNotExist"},
                                     {"key": "canary", "operator": "Exists"},
                                     {"key": "b", "operator": "NotIn", "values": ["x"]}]}
    assert selector_string(selector) == "app=shop,b notin (x),canary,env in (dev,prod),tier=web,!zz"
    assert selector_string(None) == selector_string({}) == ""
    assert format_label_selector({}) == "<none>"
