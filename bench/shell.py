#!/usr/bin/env python3
"""The shell's latency: completion and highlighting per keystroke, and `kubectl get pods`.

How it is measured:
1. Completion, without a network: a store holding 1000 objects (800 pods and 200 Services across 10
   namespaces), nodes on paper. For each line, `suggest` (what fits + the matchers + ranking) and the
   prompt_toolkit Completer fed a Document (as when typing) are timed RUNS times; so is the Lexer
   (highlighting the line). prompt_toolkit calls both on every keystroke.
2. A real cluster in a fresh sandbox: 3 nodes, PODS busybox pods (`sleep`) created and waited for
   (Running). `kubectl get pods` is timed through Session.execute (the table as text), and the
   Printer writing that Result (to /dev/null, not a terminal) apart; completion of `kubectl logs `,
   `kubectl logs p1` and `-l ` is timed against that live store while its controllers run.
Prints p50/p99 in milliseconds; no assertion on time.

    .venv/bin/python bench/shell.py [--runs 200] [--pods 500] [--no-cluster]
"""

from __future__ import annotations

import argparse
import io
import os
import time
from types import SimpleNamespace

from common import in_sandbox, pct, wait_for  # noqa: E402 - bench/ is the script directory

LINES = (
    "kubectl ",
    "kubectl get ",
    "kubectl get pods ",
    "kubectl get pods web-1",
    "kubectl logs -n ns3 ",
    "kubectl get pods -A ",
    "kubectl describe svc/",
    "kubectl logs wb19",  # no prefix match: substring and fuzzy ranking over every pod
    "kubectl run x --image=",
    "kubectl get pods -l ",
    "trace web-1 svc/",
    "kubectl apply -f ",
)


def timed(fn, runs: int) -> tuple:
    """(p50, p99) of fn's wall time in milliseconds."""
    fn()  # warm caches (kind tables, imports)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return pct(samples, 0.5), pct(samples, 0.99)


def filled_store(namespaces: int = 10, pods: int = 80, services: int = 20):
    """A store with pods and Services in `namespaces` namespaces (1000 objects by default)."""
    from k8slab.api.codec import from_dict
    from k8slab.api.meta import ObjectMeta
    from k8slab.api.objects import Namespace, Pod
    from k8slab.api.service import Service
    from k8slab.api.store import Store

    store = Store()
    for n in range(namespaces):
        ns = "default" if n == 0 else f"ns{n}"
        if n:
            store.create(Namespace(metadata=ObjectMeta(name=ns)))
        for i in range(pods):
            app = f"web-{i % services}"
            store.create(from_dict(Pod, {"metadata": {"name": f"{app}-{i}", "namespace": ns, "labels": {"app": app}},
                                         "spec": {"containers": [{"name": "c", "image": "nginx"}]}}))
        for i in range(services):
            store.create(from_dict(Service, {"metadata": {"name": f"web-{i}", "namespace": ns},
                                             "spec": {"selector": {"app": f"web-{i}"}, "ports": [{"port": 80}]}}))
    return store


def light_session(store):
    """What completion reads of a session: the store, the node names, the command table."""
    from k8slab.net.addresses import EXT_NAME, WORLD_NAME, ClusterSpec
    from k8slab.shell.commands import build_registry

    plans = {p.name: p for p in ClusterSpec(3).node_plans()}
    network = SimpleNamespace(plans=plans, hosts={h: None for h in list(plans) + [EXT_NAME, WORLD_NAME]})
    return SimpleNamespace(cluster=SimpleNamespace(store=store, network=network), namespace="default",
                           registry=build_registry())


def completion_figures(session, lines, runs: int) -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from k8slab.shell.completion import ShellCompleter, suggest
    from k8slab.shell.lexer import LineLexer
    from k8slab.shell.completion import tables_of

    completer = ShellCompleter(session)
    lexer = LineLexer(lambda: tables_of(session))
    print(f"  {'line':<26} {'candidates':>10}   suggest p50/p99   Completer p50/p99   Lexer p50/p99")
    for line in lines:
        found = suggest(session, line)[1]
        a = timed(lambda: suggest(session, line), runs)
        b = timed(lambda: list(completer.get_completions(Document(line), CompleteEvent(text_inserted=True))), runs)
        c = timed(lambda: lexer.lex_document(Document(line))(0), runs)
        print(f"  {line!r:<26} {len(found):>10}   {a[0]:6.2f} /{a[1]:6.2f}     {b[0]:6.2f} /{b[1]:6.2f}"
              f"     {c[0]:5.2f} /{c[1]:5.2f}")


def light(runs: int) -> None:
    store = filled_store()
    count = sum(len(store.list(k)) for k in ("Pod", "Service"))
    print(f"completion and highlighting, {count} pods and services in the store (no network), {runs} runs, ms:")
    completion_figures(light_session(store), LINES, runs)


def real_cluster(pods: int, runs: int) -> None:
    from k8slab.api.codec import from_dict
    from k8slab.api.pod import Pod
    from k8slab.cluster import Cluster
    from k8slab.net.addresses import ClusterSpec
    from k8slab.shell.session import Session
    from k8slab.views.render import Printer

    cluster = Cluster(ClusterSpec(3))
    cluster.start()
    store = cluster.store
    t0 = time.monotonic()
    sleeper = {"name": "c", "image": "busybox", "command": ["sleep", "3600"]}
    for i in range(pods):
        store.create(from_dict(Pod, {"metadata": {"name": f"p{i}", "labels": {"app": f"a{i % 10}"}},
                                     "spec": {"terminationGracePeriodSeconds": 1, "containers": [sleeper]}}))
    running = wait_for(lambda: all(p.status.phase == "Running" for p in store.list("Pod", "default")),
                       timeout=300, step=0.5)
    up = time.monotonic() - t0
    nodes = sorted({p.spec.node_name for p in store.list("Pod", "default")})
    print(f"real cluster: {pods} pods on {', '.join(nodes)}, "
          f"{'all Running' if running else 'NOT all Running (timed out)'} after {up:.1f} s")
    sink = open(os.devnull, "w")
    printer = Printer(out=sink, err=io.StringIO())  # not a terminal: no colour, no pager
    session = Session(cluster, printer)
    result = session.execute("kubectl get pods")
    runs = max(20, runs // 4)
    a = timed(lambda: session.execute("kubectl get pods"), runs)
    b = timed(lambda: printer.result(result), runs)
    print(f"  kubectl get pods ({len(result.stdout.splitlines())} lines), {runs} runs: Session.execute (the table "
          f"as text) p50 {a[0]:.1f} ms, p99 {a[1]:.1f} ms; the Printer writing it p50 {b[0]:.3f} ms, p99 {b[1]:.3f} ms")
    print(f"  completion against the live store, {runs} runs, ms:")
    completion_figures(session, ("kubectl logs ", "kubectl logs p1", "kubectl get pods -l "), runs)
    sink.close()
    cluster.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--pods", type=int, default=500)
    ap.add_argument("--no-cluster", action="store_true", help="only the store-backed completion figures")
    args = ap.parse_args()

    def measure() -> None:
        light(args.runs)
        if not args.no_cluster:
            real_cluster(args.pods, args.runs)

    if args.no_cluster:
        print(f"machine: {os.cpu_count()} cores, no sandbox")
        measure()
    else:
        in_sandbox(measure)


if __name__ == "__main__":
    main()
