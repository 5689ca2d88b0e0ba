"""The store: apiserver create/update/delete semantics, resourceVersions and watches."""

import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from k8slab.api.codec import from_dict
from k8slab.api.errors import ApiError
from k8slab.api.objects import Namespace, Node, Pod, PodStatus, new_meta
from k8slab.api.selectors import Selector
from k8slab.api.store import Store

T0 = datetime(2026, 11, 22, 10, 0, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(clock):
    return Store(clock=clock)


def make_pod(name="web", namespace=None, labels=None, node=None, **spec):
    data = {
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {"app": name}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}], "nodeName": node, **spec},
    }
    return from_dict(Pod, data)


def drain(watch):
    events = []
    while True:
        event = watch.get(timeout=0)
        if event is None:
            return events
        events.append(event)


def summary(events):
    return [(e.type, e.kind, e.obj.metadata.name, e.obj.metadata.resource_version) for e in events]


def error_of(fn, *args, **kwargs):
    with pytest.raises(ApiError) as err:
        fn(*args, **kwargs)
    return err.value


# ---------------------------------------------------------------- create / get / list


def test_system_namespaces_exist_with_identity(store):
    names = [ns.metadata.name for ns in store.list("namespaces")]
    assert names == ["default", "kube-node-lease", "kube-public", "kube-system"]
    for ns in store.list("ns"):
        assert ns.metadata.uid and ns.metadata.creation_timestamp == T0 and ns.status.phase == "Active"
    assert store.resource_version == 4


def test_create_fills_identity_defaults_and_status(store, clock):
    clock.now = T0.replace(microsecond=123456)
    pod = store.create(make_pod())
    meta = pod.metadata
    assert (meta.namespace, meta.resource_version, meta.generation) == ("default", "5", 1)
    assert meta.creation_timestamp == T0 and len(meta.uid) == 36
    assert pod.spec.restart_policy == "Always" and pod.status.phase == "Pending"
    assert store.get("po", "web") is pod and store.get("Pod", "web", "default") is pod
    assert store.resource_version == 5


def test_create_namespace_rules(store):
    assert store.create(make_pod("a"), namespace="kube-system").metadata.namespace == "kube-system"
    assert store.create(make_pod("b", namespace="kube-public"), namespace="kube-public").metadata.namespace == "kube-public"
    err = error_of(store.create, make_pod("c", namespace="kube-public"), namespace="default")
    assert str(err) == (
        "Error from server (BadRequest): the namespace of the provided object does not match the namespace sent on the request"
    )
    err = error_of(store.create, make_pod("d", namespace="nope"))
    assert err.render('error when creating "pod.yaml"') == (
        'Error from server (NotFound): error when creating "pod.yaml": namespaces "nope" not found'
    )


def test_cluster_scoped_objects_drop_namespace(store):
    node = store.create(Node(metadata=new_meta("node1", namespace="default")))
    assert node.metadata.namespace is None and store.get("no", "node1") is node


def test_create_already_exists_and_invalid(store):
    store.create(make_pod())
    err = error_of(store.create, make_pod())
    assert err.render('error when creating "pod.yaml"') == (
        'Error from server (AlreadyExists): error when creating "pod.yaml": pods "web" already exists'
    )
    bad = from_dict(Pod, {"metadata": {"name": "x"}, "spec": {"containers": [{"name": "c"}], "restartPolicy": "No"}})
    err = error_of(store.create, bad)
    assert str(err) == (
        'The Pod "x" is invalid: \n* spec.containers[0].image: Required value\n'
        '* spec.restartPolicy: Unsupported value: "No": supported values: "Always", "OnFailure", "Never"'
    )
    assert store.resource_version == 5  # failed creates change nothing


def test_create_with_resource_version_is_rejected(store):
    pod = make_pod()
    pod = replace(pod, metadata=replace(pod.metadata, resource_version="7"))
    assert error_of(store.create, pod).message == "resourceVersion should not be set on objects to be created"


def test_generate_name(store):
    pod = make_pod(name=None, labels={"app": "web"})
    pod = replace(pod, metadata=replace(pod.metadata, generate_name="web-"))
    names = {store.create(pod).metadata.name for _ in range(20)}
    assert len(names) == 20
    for name in names:
        assert name.startswith("web-") and len(name) == 9
        assert all(ch in "bcdfghjklmnpqrstvwxz2456789" for ch in name[4:])


def test_get_not_found(store):
    assert str(error_of(store.get, "pods", "ghost")) == 'Error from server (NotFound): pods "ghost" not found'
    assert store.try_get("pods", "ghost") is None


def test_list_sorting_namespaces_and_selectors(store):
    store.create(Namespace(metadata=new_meta("b-ns")))
    for name, ns, tier in [("z", "default", "front"), ("a", "default", "back"), ("m", "b-ns", "front")]:
        store.create(make_pod(name, namespace=ns, labels={"tier": tier}))
    assert [(p.metadata.namespace, p.metadata.name) for p in store.list("pods")] == [
        ("b-ns", "m"), ("default", "a"), ("default", "z"),
    ]
    assert [p.metadata.name for p in store.list("pods", "default")] == ["a", "z"]
    assert [p.metadata.name for p in store.list("pods", selector=Selector.parse("tier=front"))] == ["m", "z"]
    assert store.list("pods", "kube-system") == []


# ---------------------------------------------------------------- update


def test_update_keeps_identity_and_status_and_bumps_version(store, clock):
    created = store.create(make_pod())
    store.update_status(replace(created, status=PodStatus(phase="Running", pod_ip="10.244.1.5")))
    clock.advance(60)
    changed = make_pod(labels={"app": "web", "new": "yes"})
    updated = store.update(changed)
    assert updated.metadata.uid == created.metadata.uid
    assert updated.metadata.creation_timestamp == T0
    assert updated.metadata.labels == {"app": "web", "new": "yes"}
    assert updated.status.pod_ip == "10.244.1.5"
    assert updated.metadata.resource_version == "7" and updated.metadata.generation == 1


def test_noop_update_changes_nothing(store):
    created = store.create(make_pod())
    watch = store.watch(["pods"])
    assert store.update(make_pod()) is created
    assert store.resource_version == 5 and drain(watch) == []


def test_stale_resource_version_conflicts(store):
    created = store.create(make_pod())
    store.update(make_pod(labels={"v": "2"}))
    stale = replace(created, metadata=replace(created.metadata, labels={"v": "3"}))
    assert str(error_of(store.update, stale)) == (
        'Error from server (Conflict): Operation cannot be fulfilled on pods "web": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    assert str(error_of(store.update_status, stale)).startswith("Error from server (Conflict)")


def test_forbidden_pod_update(store):
    store.create(make_pod())
    err = error_of(store.update, make_pod(restartPolicy="Never"))
    assert err.reason == "Invalid"
    assert str(err).startswith('The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields')


def test_image_update_and_binding_are_allowed(store):
    store.create(make_pod())
    bound = store.update(make_pod(node="node1"))
    assert bound.spec.node_name == "node1"
    pod = store.get("pods", "web")
    newer = replace(pod, spec=replace(pod.spec, containers=(replace(pod.spec.containers[0], image="nginx:1.27"),)))
    assert store.update(newer).spec.containers[0].image == "nginx:1.27"


def test_update_missing_object(store):
    assert error_of(store.update, make_pod("ghost")).reason == "NotFound"


def test_update_status_only_touches_status(store):
    created = store.create(make_pod())
    other = replace(created, metadata=replace(created.metadata, labels={"x": "y"}), status=PodStatus(phase="Running"))
    updated = store.update_status(other)
    assert updated.metadata.labels == {"app": "web"} and updated.status.phase == "Running"
    assert store.update_status(updated) is updated  # same status: no-op


# ---------------------------------------------------------------- delete


def test_unscheduled_pod_is_deleted_at_once(store):
    store.create(make_pod())
    watch = store.watch()
    deleted = store.delete("pods", "web")
    assert store.try_get("pods", "web") is None
    assert summary(drain(watch)) == [("DELETED", "Pod", "web", "6")]
    assert deleted.metadata.resource_version == "6"


def test_scheduled_pod_is_deleted_gracefully(store, clock):
    store.create(make_pod(node="node1"))
    watch = store.watch(["pods"])
    clock.advance(10)
    pod = store.delete("pods", "web")
    assert pod.metadata.deletion_timestamp == T0 + timedelta(seconds=40)
    assert pod.metadata.deletion_grace_period_seconds == 30
    assert store.get("pods", "web") is pod
    assert [e.type for e in drain(watch)] == ["MODIFIED"]
    # A longer or absent grace period changes nothing; a shorter one counts from the first request.
    assert store.delete("pods", "web") is pod
    assert store.delete("pods", "web", grace_period_seconds=60) is pod
    shorter = store.delete("pods", "web", grace_period_seconds=5)
    assert shorter.metadata.deletion_timestamp == T0 + timedelta(seconds=15)
    assert shorter.metadata.deletion_grace_period_seconds == 5
    # The kubelet removes it; a stale uid is ignored.
    store.remove("pods", "web", uid="someone-else")
    assert store.try_get("pods", "web") is not None
    store.remove("pods", "web", uid=pod.metadata.uid)
    assert store.try_get("pods", "web") is None
    assert [e.type for e in drain(watch)] == ["MODIFIED", "DELETED"]
    store.remove("pods", "web")  # already gone: no error


def test_force_delete_and_terminal_pods(store):
    store.create(make_pod("a", node="node1"))
    store.delete("pods", "a")
    store.delete("pods", "a", grace_period_seconds=0)
    assert store.try_get("pods", "a") is None
    done = store.create(make_pod("b", node="node1"))
    store.update_status(replace(done, status=PodStatus(phase="Succeeded")))
    store.delete("pods", "b")
    assert store.try_get("pods", "b") is None
    store.create(make_pod("c", node="node1", terminationGracePeriodSeconds=0))
    store.delete("pods", "c")
    assert store.try_get("pods", "c") is None


def test_delete_missing(store):
    assert str(error_of(store.delete, "pods", "ghost")) == 'Error from server (NotFound): pods "ghost" not found'


def test_finalizers_hold_deletion(store):
    pod = make_pod()
    store.create(replace(pod, metadata=replace(pod.metadata, finalizers=("example.com/hold",))))
    held = store.delete("pods", "web")
    assert held.metadata.deletion_timestamp is not None and store.try_get("pods", "web") is not None
    store.update(make_pod())  # clears the finalizers
    assert store.try_get("pods", "web") is None


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public", "kube-node-lease"])
def test_system_namespaces_cannot_be_deleted(store, name):
    assert str(error_of(store.delete, "ns", name)) == (
        f'Error from server (Forbidden): namespaces "{name}" is forbidden: this namespace may not be deleted'
    )


def test_namespace_deletion_removes_contents(store):
    store.create(Namespace(metadata=new_meta("demo")))
    store.create(make_pod("a", namespace="demo"))
    store.create(make_pod("b", namespace="demo"))
    store.create(make_pod("keep"))
    watch = store.watch(send_initial=False)
    store.delete("namespaces", "demo")
    events = drain(watch)
    assert [(e.type, e.kind, e.obj.metadata.name) for e in events] == [
        ("MODIFIED", "Namespace", "demo"),
        ("DELETED", "Pod", "a"),
        ("DELETED", "Pod", "b"),
        ("DELETED", "Namespace", "demo"),
    ]
    assert events[0].obj.status.phase == "Terminating"
    assert [int(e.obj.metadata.resource_version) for e in events] == sorted(int(e.obj.metadata.resource_version) for e in events)
    assert store.try_get("ns", "demo") is None and store.try_get("pods", "keep") is not None


def test_namespace_waits_for_running_pods(store):
    store.create(Namespace(metadata=new_meta("demo")))
    pod = store.create(make_pod("a", namespace="demo", node="node1"))
    ns = store.delete("ns", "demo")
    assert ns.status.phase == "Terminating"
    assert store.get("pods", "a", "demo").metadata.deletion_timestamp is not None
    err = error_of(store.create, make_pod("b", namespace="demo"))
    assert str(err) == (
        'Error from server (Forbidden): pods "b" is forbidden: unable to create new content in namespace demo '
        "because it is being terminated"
    )
    assert error_of(store.delete, "ns", "demo").reason == "Conflict"
    store.remove("pods", "a", "demo", uid=pod.metadata.uid)
    assert store.try_get("ns", "demo") is None


# ---------------------------------------------------------------- watches


def test_watch_order_kind_filter_and_namespace_filter(store):
    store.create(Namespace(metadata=new_meta("demo")))
    all_events = store.watch()
    pods = store.watch(["po"])
    demo = store.watch(namespace="demo")
    store.create(make_pod("a"))
    store.create(Node(metadata=new_meta("node1")))
    store.create(make_pod("b", namespace="demo"))
    store.update(make_pod("a", labels={"x": "1"}))
    store.delete("pods", "b", "demo")
    assert summary(drain(all_events)) == [
        ("ADDED", "Pod", "a", "6"), ("ADDED", "Node", "node1", "7"), ("ADDED", "Pod", "b", "8"),
        ("MODIFIED", "Pod", "a", "9"), ("DELETED", "Pod", "b", "10"),
    ]
    assert [e.obj.metadata.name for e in drain(pods)] == ["a", "b", "a", "b"]
    assert [(e.type, e.obj.metadata.name) for e in drain(demo)] == [("ADDED", "b"), ("DELETED", "b")]


def test_modified_event_carries_old_object(store):
    created = store.create(make_pod())
    watch = store.watch(["pods"])
    updated = store.update(make_pod(labels={"v": "2"}))
    event = watch.get(timeout=1)
    assert event.obj is updated and event.old is created


def test_send_initial_replays_existing_objects(store):
    store.create(make_pod("a"))
    watch = store.watch(["pods", "namespaces"], send_initial=True)
    store.create(make_pod("b"))
    assert [(e.type, e.kind, e.obj.metadata.name) for e in drain(watch)] == [
        ("ADDED", "Namespace", "default"), ("ADDED", "Namespace", "kube-node-lease"),
        ("ADDED", "Namespace", "kube-public"), ("ADDED", "Namespace", "kube-system"),
        ("ADDED", "Pod", "a"), ("ADDED", "Pod", "b"),
    ]


def test_get_times_out_and_close_wakes_reader(store):
    watch = store.watch()
    assert watch.get(timeout=0.01) is None
    seen = []
    reader = threading.Thread(target=lambda: seen.extend(watch))
    reader.start()
    store.create(make_pod())
    watch.close()
    reader.join(timeout=5)
    assert not reader.is_alive() and [e.type for e in seen] == ["ADDED"]
    store.create(make_pod("later"))
    assert watch.get(timeout=0) is None and watch.closed


def test_watch_as_context_manager_unregisters(store):
    with store.watch() as watch:
        pass
    assert watch.closed and store._watches == []


def test_concurrent_writers_get_unique_ordered_versions(store):
    watch = store.watch(["pods"])

    def writer(prefix):
        for i in range(25):
            store.create(make_pod(f"{prefix}-{i}"))

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    versions = [int(e.obj.metadata.resource_version) for e in drain(watch)]
    assert versions == list(range(5, 105))
    assert len(store.list("pods")) == 100


def test_bind_sets_node_once(store):
    pod = store.create(make_pod())
    bound = store.bind(pod, "node1")
    assert bound.spec.node_name == "node1" and int(bound.metadata.resource_version) > int(pod.metadata.resource_version)
    assert error_of(store.bind, bound, "node2").reason == "Conflict"


def test_kind_and_selector_conveniences(store):
    store.create(make_pod("a", labels={"app": "a"}))
    store.create(make_pod("b", labels={"app": "b"}))
    assert [p.metadata.name for p in store.list(Pod, selector="app in (b)")] == ["b"]
    assert store.get(Pod, "a").metadata.name == "a"
